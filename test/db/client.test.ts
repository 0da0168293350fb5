import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DatabaseOpenError, openDatabase } from "@/db/client";
import { journalSizeLimitBytes } from "@/db/wal";
import { detectFileSystemType } from "@/lib/file-system";
import { migrationCount } from "../helpers/migrations";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const root = path.resolve(import.meta.dirname, "../..");

describe("openDatabase", () => {
  let workspace: Workspace;
  afterEach(() => workspace?.cleanup());

  it("refuses a database file this user cannot write, naming it", () => {
    workspace = makeWorkspace();
    openDatabase(workspace.dbPath).$client.close();
    fs.chmodSync(workspace.dbPath, 0o444);
    if (process.getuid?.() !== 0) {
      expect(() => openDatabase(workspace.dbPath)).toThrow(/not writable/);
      return;
    }
    // root writes through permission bits: ask as an unprivileged user.
    fs.chmodSync(workspace.dir, 0o777);

    const result = spawnSync(
      "setpriv",
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        process.execPath,
      ].concat(["--import", "tsx", "worker/main.ts", "--once"]),
      {
        cwd: root,
        env: { ...process.env, ...workspace.env },
        encoding: "utf8",
      },
    );

    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain(
      `database file ${workspace.dbPath} is not writable by this user`,
    );
  });

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

  it("bounds the -wal file: a journal size limit and automatic checkpoints", () => {
    workspace = makeWorkspace();

    const db = openDatabase(workspace.dbPath);

    const pragma = (name: string) => db.$client.pragma(name, { simple: true });
    expect(pragma("journal_size_limit")).toBe(journalSizeLimitBytes);
    expect(pragma("wal_autocheckpoint")).toBe(1000);
    db.$client.close();
  });

  it("refuses a folder on a network share before opening the file", () => {
    workspace = makeWorkspace();
    process.env.POETS_ASSUME_FS_TYPE = "nfs4";

    try {
      expect(() => openDatabase(workspace.dbPath)).toThrow(DatabaseOpenError);
      expect(() => openDatabase(workspace.dbPath)).toThrow(
        `The database folder ${workspace.dir} is on a network share ` +
          "(file system nfs4)",
      );
    } finally {
      delete process.env.POETS_ASSUME_FS_TYPE;
    }
    expect(fs.existsSync(workspace.dbPath)).toBe(false);
  });

  it("opens a folder on the local disk the tests run on", () => {
    workspace = makeWorkspace();

    expect(detectFileSystemType(workspace.dir)).not.toBeNull();
    openDatabase(workspace.dbPath).$client.close();
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

describe("a worker whose database folder is on a network share", () => {
  let workspace: Workspace;
  afterEach(() => workspace?.cleanup());

  it("stops at start with exit code 1, naming the folder and the fix", async () => {
    workspace = makeWorkspace();

    const child = spawn("npm", ["run", "worker", "--", "--once"], {
      cwd: root,
      env: { ...process.env, ...workspace.env, POETS_ASSUME_FS_TYPE: "nfs4" },
    });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    const code = await new Promise((resolve) => child.on("exit", resolve));

    expect(code).toBe(1);
    expect(output).toContain(
      `The database folder ${workspace.dir} is on a network share ` +
        "(file system nfs4)",
    );
    expect(output).toContain("Put DATABASE_PATH on a local disk");
    expect(fs.existsSync(workspace.dbPath)).toBe(false);
  });
});
