import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { listEventsAfter } from "@/db/events";
import {
  busyLines,
  checkOutcome,
  mixedSamples,
  sleep,
  submitSamples,
  killTree,
} from "../helpers/fault";
import { startWorker, waitFor, type Running } from "../helpers/processes";
import { samples } from "../helpers/samples";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const root = path.resolve(import.meta.dirname, "../..");
const holdMs = 10_000;

function holdRead(env: Record<string, string>) {
  const child = spawn(
    path.join(root, "node_modules/.bin/tsx"),
    ["test/helpers/hold-read.ts"],
    {
      cwd: root,
      env: { ...process.env, ...env, HOLD_MS: String(holdMs) },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}

// Issue 3, item 7: a reader that keeps one read transaction open for 10 s
// neither stalls the worker nor hides its commits from a fresh reader.
describe("a long read transaction in another process", () => {
  let workspace: Workspace;
  let db: Db;
  let worker: Running | undefined;
  beforeAll(() => {
    workspace = makeWorkspace("poets-fault-reader-");
    db = openDatabase(workspace.dbPath);
  });
  afterAll(async () => {
    if (worker) await killTree(worker);
    db?.$client.close();
    workspace?.cleanup();
  });

  it("holds back neither the worker nor what others see", async () => {
    const reader = holdRead(workspace.env);
    await waitFor(() => reader.output().includes('"holding"'), 20_000);
    const ids = submitSamples(db, mixedSamples(samples, 50));
    worker = startWorker({ ...workspace.env, BUILTIN_DELAY_MS: "60" });

    const lagsMs: number[] = [];
    let seenWhileHeld = 0;
    let lastId = 0;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      for (const event of listEventsAfter(db, lastId)) {
        lastId = event.id;
        lagsMs.push(Date.now() - event.updatedAt.getTime());
        if (!reader.output().includes('"released"')) seenWhileHeld += 1;
      }
      if (checkOutcome(db, workspace.artifactsDir, ids).completed === 50) {
        break;
      }
      await sleep(20);
    }

    expect(await reader.exited).toBe(0);
    expect(await worker.stop("SIGTERM")).toBe(0);
    const outcome = checkOutcome(db, workspace.artifactsDir, ids);
    expect(outcome.problems).toEqual([]);
    expect(outcome.completed).toBe(50);
    expect(seenWhileHeld).toBeGreaterThan(50);
    expect(Math.max(...lagsMs)).toBeLessThan(1000);
    const released = JSON.parse(reader.output().trim().split("\n").at(-1)!);
    expect(released.after).toBe(released.before);
    expect(busyLines(worker.output())).toEqual([]);
  }, 90_000);
});
