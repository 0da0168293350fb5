import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { busyLines } from "../helpers/fault";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const root = path.resolve(import.meta.dirname, "../..");

const racerPath = path.join(root, "test/helpers/race-counters.ts");

function runRacer(env: Record<string, string>, racer: number) {
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), [racerPath], {
    cwd: root,
    env: { ...process.env, ...env, RACER: String(racer) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, output })),
  );
}

// Issue 3, item 3 and 7: two processes racing read-then-write transactions
// on the same rows never see a busy error and lose no increment.
describe("two processes racing read-then-write transactions", () => {
  let workspace: Workspace;
  let db: Db;
  beforeEach(() => {
    workspace = makeWorkspace("poets-fault-race-");
    db = openDatabase(workspace.dbPath);
  });
  afterEach(() => {
    db.$client.close();
    workspace.cleanup();
  });

  it("counts every one of 1000 increments on 20 rows", async () => {
    db.$client.exec(
      "CREATE TABLE race_counters (id INTEGER PRIMARY KEY, count INTEGER NOT NULL);" +
        "INSERT INTO race_counters (id, count) " +
        "WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < 20) " +
        "SELECT id, 0 FROM n;",
    );

    const startAt = String(Date.now() + 3000);
    const results = await Promise.all(
      [0, 1].map((racer) =>
        runRacer({ ...workspace.env, START_AT: startAt }, racer),
      ),
    );

    for (const { code, output } of results) {
      expect(busyLines(output)).toEqual([]);
      expect(output).toContain('{"errors":0}');
      expect(code).toBe(0);
    }
    const { total } = db.$client
      .prepare("SELECT sum(count) AS total FROM race_counters")
      .get() as { total: number };
    expect(total).toBe(1000);
  }, 60_000);
});
