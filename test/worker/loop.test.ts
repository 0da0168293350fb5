import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { createPrompt, getPrompt, requeuePrompt } from "@/db/prompts";
import { listWorkers, registerWorker } from "@/db/workers";
import { parseConfig } from "@/lib/config";
import type { Logger } from "@/lib/log";
import { runWorkerLoop, type WorkerLoopOptions } from "@/worker/loop";
import { offlineWriter } from "@/worker/offline-writer";
import type { Writer } from "@/worker/write-stage";
import { waitFor } from "../helpers/processes";
import { makeTestDb, type Workspace } from "../helpers/workspace";

/** A writer that only ends when its stage is aborted. */
const stuckWriter: Writer = {
  ...offlineWriter,
  writeText: (_input, signal) =>
    new Promise((_resolve, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason)),
    ),
};

describe("runWorkerLoop", () => {
  let db: Db;
  let workspace: Workspace;
  let close: () => void;
  let stop: AbortController;
  const log = pino({ level: "silent" }) as unknown as Logger;
  beforeEach(() => {
    ({ db, workspace, close } = makeTestDb());
    stop = new AbortController();
    registerWorker(db, { id: "w1", version: "test", dbPath: workspace.dbPath });
  });
  afterEach(() => {
    stop.abort();
    close();
  });

  const loop = (overrides: Partial<WorkerLoopOptions> = {}) =>
    runWorkerLoop({
      db,
      config: parseConfig(env()),
      workerId: "w1",
      log,
      once: false,
      stopSignal: stop.signal,
      ...overrides,
    });
  const env = () => {
    const values: Record<string, string> = {
      DATABASE_PATH: workspace.dbPath,
      ARTIFACTS_DIR: workspace.artifactsDir,
      HEARTBEAT_MS: "20",
      SHUTDOWN_GRACE_MS: "50",
      BUILTIN_DELAY_MS: "0",
    };
    return values;
  };
  const addPoem = () =>
    createPrompt(db, { type: "poem", text: "rain", priority: 0 }).id;

  it("with once, runs stage 2 right after stage 1 and returns", async () => {
    const id = createPrompt(db, {
      type: "image_prompt",
      text: "a lighthouse",
      priority: 0,
    }).id;

    await loop({ once: true });

    expect(getPrompt(db, id)).toMatchObject({
      status: "completed",
      artifactStatus: "ready",
    });
  });

  it("gives work back after the grace period on shutdown", async () => {
    const id = addPoem();
    const running = loop({ writer: stuckWriter });
    await waitFor(() => getPrompt(db, id)!.status === "processing", 2000, 5);

    stop.abort();
    await running;

    expect(getPrompt(db, id)).toMatchObject({
      status: "unprocessed",
      attempts: 0,
    });
  });

  it("keeps the lease alive and reports the prompt in its heartbeat", async () => {
    const id = addPoem();
    const running = loop({ writer: stuckWriter });
    await waitFor(() => getPrompt(db, id)!.status === "processing", 2000, 5);
    const firstExpiry = getPrompt(db, id)!.leaseExpiresAt!.getTime();

    await waitFor(
      () => getPrompt(db, id)!.leaseExpiresAt!.getTime() > firstExpiry,
      2000,
      5,
    );

    expect(listWorkers(db)[0].currentPromptId).toBe(id);
    stop.abort();
    await running;
  });

  it("abandons a stage whose prompt was requeued under it", async () => {
    const id = addPoem();
    const running = loop({ writer: stuckWriter });
    await waitFor(() => getPrompt(db, id)!.status === "processing", 2000, 5);

    requeuePrompt(db, id);
    // The heartbeat notices, aborts the stage, and the loop claims it again.
    await waitFor(() => getPrompt(db, id)!.attempts === 2, 2000, 5);

    stop.abort();
    await running;
    expect(getPrompt(db, id)!.status).toBe("unprocessed");
  });
});
