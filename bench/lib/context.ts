import { openDatabase } from "@/db/client";
import {
  startApp,
  startWorker,
  type Running,
  type RunningApp,
} from "../../test/helpers/processes";
import { makeWorkspace, type Workspace } from "../../test/helpers/workspace";
import { serverPidOf } from "./processes";
import { seedPrompts } from "../seed";

export type BenchApp = RunningApp & {
  /** The pid of the process that serves requests (see serverPidOf). */
  serverPid: number;
};

/** What a measure gets from the runner. */
export type BenchContext = {
  /** How many times each figure is measured. */
  runs: number;
  /** A temporary workspace (database, artifacts), removed at the end. */
  workspace(options?: { rows?: number; finishedOnly?: boolean }): Workspace;
  /** `next start` on the workspace; stopped at the end if still running. */
  startApp(
    workspace: Workspace,
    env?: Record<string, string>,
  ): Promise<BenchApp>;
  /** `npm run worker` on the workspace; stopped at the end if still running. */
  startWorker(workspace: Workspace, env?: Record<string, string>): Running;
  /** A progress line on stderr (the table goes to stdout). */
  log(message: string): void;
};

export type Cleanup = { stopAll(): Promise<void> };

export function createContext(options: {
  runs: number;
  startedAt: number;
}): BenchContext & Cleanup {
  const workspaces: Workspace[] = [];
  const running: Running[] = [];
  const log = (message: string) => {
    const seconds = ((Date.now() - options.startedAt) / 1000).toFixed(0);
    process.stderr.write(`[${seconds.padStart(3)} s] ${message}\n`);
  };

  return {
    runs: options.runs,
    log,
    workspace(seed = {}) {
      const workspace = makeWorkspace("poets-bench-");
      workspaces.push(workspace);
      if (seed.rows) {
        const started = Date.now();
        const db = openDatabase(workspace.dbPath);
        seedPrompts(db, {
          count: seed.rows,
          finishedOnly: seed.finishedOnly ?? false,
        });
        db.$client.close();
        log(`seeded ${seed.rows} prompts in ${Date.now() - started} ms`);
      }
      return workspace;
    },
    async startApp(workspace, env = {}) {
      // BENCH_APP_NODE_OPTIONS=--cpu-prof profiles the app alone.
      const app = await startApp({
        ...workspace.env,
        NODE_OPTIONS: process.env.BENCH_APP_NODE_OPTIONS,
        ...env,
      });
      running.push(app);
      return { ...app, serverPid: serverPidOf(app.child.pid!) };
    },
    startWorker(workspace, env = {}) {
      const worker = startWorker({ ...workspace.env, ...env });
      running.push(worker);
      return worker;
    },
    async stopAll() {
      await Promise.all(running.map((p) => p.stop()));
      for (const workspace of workspaces) workspace.cleanup();
    },
  };
}
