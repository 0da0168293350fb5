import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { migrationCount } from "../helpers/migrations";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const root = path.resolve(import.meta.dirname, "../..");

/** `npm run migrate` as a person runs it, in its own process. */
function runMigrate(env: Record<string, string>) {
  return spawnSync("npm", ["run", "--silent", "migrate"], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
}

function listTables(dbPath: string): string[] {
  const sqlite = new Database(dbPath, { readonly: true });
  try {
    const rows = sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all() as { name: string }[];
    return rows.map((row) => row.name);
  } finally {
    sqlite.close();
  }
}

describe("npm run migrate", () => {
  let workspace: Workspace;
  afterEach(() => workspace?.cleanup());

  it("creates and migrates a new database file, saying how many it applied", () => {
    workspace = makeWorkspace();
    const dbPath = path.join(workspace.dir, "new", "poets.db");

    const result = runMigrate({ ...workspace.env, DATABASE_PATH: dbPath });

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      `Applied ${migrationCount} migrations to ${dbPath} (${migrationCount} in all)\n`,
    );
    expect(listTables(dbPath)).toEqual(
      expect.arrayContaining([
        "__drizzle_migrations",
        "prompts",
        "prompt_events",
        "writings",
        "artifacts",
        "workers",
        "render_servers",
      ]),
    );
  });

  it("says the file is up to date when nothing is pending", () => {
    workspace = makeWorkspace();
    runMigrate(workspace.env);

    const result = runMigrate(workspace.env);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      `${workspace.dbPath} is up to date (${migrationCount} migrations)\n`,
    );
  });

  it("exits 1 naming the file when it is not a database", () => {
    workspace = makeWorkspace();
    fs.writeFileSync(workspace.dbPath, "not a database\n");

    const result = runMigrate(workspace.env);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `Cannot read the database at ${workspace.dbPath}`,
    );
  });

  it("exits 1 naming a bad setting before touching any file", () => {
    workspace = makeWorkspace();

    const result = runMigrate({ ...workspace.env, LEASE_MS: "soon" });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('LEASE_MS="soon": must be a whole number');
    expect(fs.existsSync(workspace.dbPath)).toBe(false);
  });
});
