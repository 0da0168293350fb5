import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DatabaseOpenError, openDatabase } from "@/db/client";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const root = path.resolve(import.meta.dirname, "../..");
const migrationCount = (
  JSON.parse(
    fs.readFileSync(
      path.join(root, "db/migrations/meta/_journal.json"),
      "utf8",
    ),
  ) as { entries: unknown[] }
).entries.length;

describe("openDatabase", () => {
  let workspace: Workspace;
  afterEach(() => workspace?.cleanup());

  it("sets WAL, a busy timeout of at least 5 s, foreign keys and synchronous=NORMAL", () => {
    workspace = makeWorkspace();

    const db = openDatabase(workspace.dbPath);

    const pragma = (name: string) => db.$client.pragma(name, { simple: true });
    expect(pragma("journal_mode")).toBe("wal");
    expect(Number(pragma("busy_timeout"))).toBeGreaterThanOrEqual(5000);
    expect(pragma("foreign_keys")).toBe(1);
    expect(pragma("synchronous")).toBe(1); // NORMAL
    expect(db.$client.name).toBe(workspace.dbPath);
    db.$client.close();
  });

  it("resolves a relative path to an absolute one", () => {
    workspace = makeWorkspace();
    const relative = path.relative(process.cwd(), workspace.dbPath);

    const db = openDatabase(relative);

    expect(path.isAbsolute(db.$client.name)).toBe(true);
    expect(db.$client.name).toBe(workspace.dbPath);
    db.$client.close();
  });

  it("refuses a database that cannot enter WAL and says why", () => {
    // An in-memory database answers journal_mode=WAL with "memory".
    expect(() => openDatabase(":memory:")).toThrow(DatabaseOpenError);
    expect(() => openDatabase(":memory:")).toThrow(
      /cannot use WAL.*"memory".*local disk/s,
    );
  });

  it("migrates again without change", () => {
    workspace = makeWorkspace();
    openDatabase(workspace.dbPath).$client.close();

    const db = openDatabase(workspace.dbPath);

    const ran = db.$client
      .prepare("SELECT count(*) AS n FROM __drizzle_migrations")
      .get();
    expect(ran).toEqual({ n: migrationCount });
    db.$client.close();
  });

  it("applies each migration once when several processes start at the same moment", async () => {
    workspace = makeWorkspace();
    const script = `
      import { openDatabase } from "./db/client.ts";
      const db = openDatabase(process.env.DATABASE_PATH);
      db.$client.close();
    `;
    const runs = Array.from(
      { length: 6 },
      () =>
        new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(
            path.join(root, "node_modules/.bin/tsx"),
            ["--eval", script],
            {
              cwd: root,
              env: { ...process.env, DATABASE_PATH: workspace.dbPath },
            },
          );
          let stderr = "";
          child.stderr.on("data", (c) => (stderr += c));
          child.on("exit", (code) => resolve({ code, stderr }));
        }),
    );

    const results = await Promise.all(runs);

    expect(results.map((r) => r.stderr).join("")).toBe("");
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0]);
    const db = openDatabase(workspace.dbPath);
    const ran = db.$client
      .prepare("SELECT count(*) AS n FROM __drizzle_migrations")
      .get();
    expect(ran).toEqual({ n: migrationCount });
    db.$client.close();
  });
});
