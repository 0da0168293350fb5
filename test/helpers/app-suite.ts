import { afterAll, beforeAll } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { startApp, type RunningApp } from "./processes";
import { makeWorkspace, type Workspace } from "./workspace";

export type AppSuite = { workspace: Workspace; db: Db; app: RunningApp };

/**
 * For one describe block: a fresh database, seeded by `seed`, and the
 * production server on it, both gone after the block. The fields are set
 * once beforeAll has run.
 */
export function useAppSuite(
  seed?: (db: Db, workspace: Workspace) => void,
): AppSuite {
  const suite = {} as AppSuite;
  beforeAll(async () => {
    suite.workspace = makeWorkspace();
    suite.db = openDatabase(suite.workspace.dbPath);
    seed?.(suite.db, suite.workspace);
    suite.app = await startApp(suite.workspace.env);
  });
  afterAll(async () => {
    await suite.app?.stop();
    suite.db?.$client.close();
    suite.workspace?.cleanup();
  });
  return suite;
}
