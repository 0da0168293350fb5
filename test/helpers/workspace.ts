import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "@/db/client";

export type Workspace = {
  dir: string;
  dbPath: string;
  artifactsDir: string;
  runDir: string;
  env: Record<string, string>;
  cleanup(): void;
};

/** A temporary folder with its own database, artifacts and run folders. */
export function makeWorkspace(prefix = "poets-test-"): Workspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dbPath = path.join(dir, "poets.db");
  const artifactsDir = path.join(dir, "artifacts");
  const runDir = path.join(dir, "run");
  return {
    dir,
    dbPath,
    artifactsDir,
    runDir,
    env: {
      DATABASE_PATH: dbPath,
      ARTIFACTS_DIR: artifactsDir,
      RUN_DIR: runDir,
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
      BUILTIN_DELAY_MS: "0",
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh, migrated database in its own temporary folder. */
export function makeTestDb(): { db: Db; workspace: Workspace; close(): void } {
  const workspace = makeWorkspace();
  const db = openDatabase(workspace.dbPath);
  return {
    db,
    workspace,
    close() {
      db.$client.close();
      workspace.cleanup();
    },
  };
}
