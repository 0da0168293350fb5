import { asc } from "drizzle-orm";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { promptEvents, type PromptEvent } from "@/db/schema";
import {
  cancelPrompt,
  createPrompt,
  getPrompt,
  getPromptDetail,
  requeuePrompt,
} from "@/db/prompts";
import { listWorkers, registerWorker } from "@/db/workers";
import { parseConfig } from "@/lib/config";
import { BackendError } from "@/lib/errors";
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

/**
 * The most stages that ran at once, from the timeline: events are numbered
 * in commit order, so a stage's "started" event opens it and its next event
 * for the same prompt closes it.
 */
function mostAtOnce(events: PromptEvent[], startedReason: string): number {
  const open = new Set<number>();
  let most = 0;
  for (const event of events) {
    if (event.reason === startedReason) open.add(event.promptId);
    else open.delete(event.promptId);
    most = Math.max(most, open.size);
  }
  return most;
}

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
  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_PATH: workspace.dbPath,
    ARTIFACTS_DIR: workspace.artifactsDir,
    HEARTBEAT_MS: "20",
    SHUTDOWN_GRACE_MS: "50",
    BUILTIN_DELAY_MS: "0",
    ...extra,
  });
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
    const starts = () =>
      getPromptDetail(db, id)!.events.filter(
        (e) => e.reason === "writing started",
      ).length;
    await waitFor(() => starts() === 2, 2000, 5);
    expect(getPrompt(db, id)!.attempts).toBe(1);

    stop.abort();
    await running;
    expect(getPrompt(db, id)!.status).toBe("unprocessed");
  });

  it("logs a cancel under a running stage as routine, not as a lost lease", async () => {
    const lines: { level: number; msg: string; why?: string }[] = [];
    const capture = { write: (line: string) => lines.push(JSON.parse(line)) };
    const logger = pino({ level: "info" }, capture) as unknown as Logger;
    const id = addPoem();
    const running = loop({ writer: stuckWriter, log: logger });
    await waitFor(() => getPrompt(db, id)!.status === "processing", 2000, 5);

    cancelPrompt(db, id);
    await waitFor(
      () => lines.some((line) => line.msg.includes("cancelled")),
      2000,
      5,
    );
    stop.abort();
    await running;

    const stopped = lines.find((line) => line.msg.includes("cancelled"))!;
    expect(stopped).toMatchObject({ level: 30, why: "cancelled" });
    expect(stopped.msg).toBe(
      "prompt cancelled under a running stage; no result recorded",
    );
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
  });

  it("runs up to the configured number of each stage at once, no more", async () => {
    const ids = ["a lighthouse", "a harbour", "a storm", "a fox"].map(
      (text) =>
        createPrompt(db, { type: "image_prompt", text, priority: 0 }).id,
    );
    const config = parseConfig(
      env({
        WRITE_CONCURRENCY: "2",
        RENDER_CONCURRENCY: "2",
        BUILTIN_DELAY_MS: "200",
      }),
    );

    await loop({ once: true, config });

    for (const id of ids) {
      expect(getPrompt(db, id)!.artifactStatus).toBe("ready");
    }
    const events = db
      .select()
      .from(promptEvents)
      .orderBy(asc(promptEvents.id))
      .all();
    expect(mostAtOnce(events, "writing started")).toBe(2);
    expect(mostAtOnce(events, "rendering started")).toBe(2);
    const renders = ids.map((id) => {
      const of = events.filter((e) => e.promptId === id);
      const at = (reason: string) =>
        of.find((e) => e.reason === reason)!.createdAt.getTime();
      return { start: at("rendering started"), end: at("rendering finished") };
    });
    const [first, second] = renders.sort((a, b) => a.start - b.start);
    expect(second.start).toBeLessThan(first.end);
  });

  it("runs one stage at a time by default", async () => {
    for (const text of ["rain", "snow", "fog"]) {
      createPrompt(db, { type: "poem", text, priority: 0 });
    }

    await loop({ once: true });

    const events = db.select().from(promptEvents).all();
    expect(mostAtOnce(events, "writing started")).toBe(1);
  });

  it("keeps every lease in flight alive, and gives each back on shutdown", async () => {
    const ids = [addPoem(), addPoem()];
    const config = parseConfig(env({ WRITE_CONCURRENCY: "2" }));
    const running = loop({ writer: stuckWriter, config });
    const isProcessing = (id: number) =>
      getPrompt(db, id)!.status === "processing";
    await waitFor(() => ids.every(isProcessing), 2000, 5);
    const firstExpiries = ids.map((id) =>
      getPrompt(db, id)!.leaseExpiresAt!.getTime(),
    );

    await waitFor(
      () =>
        ids.every(
          (id, i) =>
            getPrompt(db, id)!.leaseExpiresAt!.getTime() > firstExpiries[i],
        ),
      2000,
      5,
    );
    stop.abort();
    await running;

    for (const id of ids) {
      expect(getPrompt(db, id)).toMatchObject({
        status: "unprocessed",
        attempts: 0,
        leaseToken: null,
      });
    }
  });
  it("tries an unreachable model server with one prompt, not every queued one", async () => {
    const ids = [addPoem(), addPoem(), addPoem(), addPoem()];
    let calls = 0;
    const unreachable: Writer = {
      ...offlineWriter,
      async writeText() {
        calls++;
        throw new BackendError("unreachable", "connection refused");
      },
    };

    const running = runWorkerLoop({
      db,
      config: parseConfig(env({ UNREACHABLE_RETRY_MS: "60000" })),
      workerId: "w1",
      log,
      once: false,
      stopSignal: stop.signal,
      writer: unreachable,
    });
    await waitFor(() => getPrompt(db, ids[0])?.waitingReason !== null, 5000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop.abort();
    await running;

    expect(calls).toBe(1);
    expect(getPrompt(db, ids[0])).toMatchObject({
      status: "unprocessed",
      attempts: 0,
      waitingReason: "unreachable: connection refused",
    });
    for (const id of ids.slice(1)) {
      expect(getPromptDetail(db, id)!.events.map((e) => e.reason)).toEqual([
        "submitted",
      ]);
    }
  });

  it("checks a down model server without claiming, and writes once it answers", async () => {
    const ids = [addPoem(), addPoem()];
    let isUp = false;
    let writes = 0;
    let checks = 0;
    const flaky: Writer = {
      ...offlineWriter,
      async writeText(input, signal) {
        writes++;
        if (!isUp) throw new BackendError("unreachable", "connection refused");
        return offlineWriter.writeText(input, signal);
      },
      async isReachable() {
        checks++;
        return isUp;
      },
    };

    const running = runWorkerLoop({
      db,
      config: parseConfig(env({ UNREACHABLE_RETRY_MS: "50" })),
      workerId: "w1",
      log,
      once: false,
      stopSignal: stop.signal,
      writer: flaky,
    });
    await waitFor(() => checks >= 4, 5000);
    const reasons = (id: number) =>
      getPromptDetail(db, id)!.events.map((e) => e.reason);
    const duringOutage = ids.map(reasons);
    isUp = true;
    await waitFor(
      () => ids.every((id) => getPrompt(db, id)!.status === "completed"),
      5000,
    );
    stop.abort();
    await running;

    expect(duringOutage).toEqual([
      ["submitted", "writing started", "waiting for backend"],
      ["submitted"],
    ]);
    expect(writes).toBe(3);
    expect(reasons(ids[0]).slice(3)).toEqual([
      "writing started",
      "writing finished",
    ]);
  });
});
