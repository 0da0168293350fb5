import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { createPrompt, getPrompt } from "@/db/prompts";
import { pauseStage, resumeStage } from "@/db/queue-control";
import { registerWorker } from "@/db/workers";
import { parseConfig } from "@/lib/config";
import type { Logger } from "@/lib/log";
import { runWorkerLoop } from "@/worker/loop";
import { waitFor } from "../helpers/processes";
import { makeTestDb, type Workspace } from "../helpers/workspace";

// The worker and the person pausing use two connections, as the worker and
// the app do.
describe("worker loop with a paused stage", () => {
  let db: Db;
  let app: Db;
  let workspace: Workspace;
  let close: () => void;
  let stop: AbortController;
  const log = pino({ level: "silent" }) as unknown as Logger;
  beforeEach(() => {
    ({ db, workspace, close } = makeTestDb());
    app = openDatabase(workspace.dbPath);
    stop = new AbortController();
    registerWorker(db, { id: "w1", version: "test", dbPath: workspace.dbPath });
  });
  afterEach(() => {
    stop.abort();
    app.$client.close();
    close();
  });

  const loop = (once = false) =>
    runWorkerLoop({
      db,
      config: parseConfig({
        DATABASE_PATH: workspace.dbPath,
        ARTIFACTS_DIR: workspace.artifactsDir,
        BUILTIN_DELAY_MS: "0",
        HEARTBEAT_MS: "1000",
        // Long enough that only a wake-up on the resume's commit can start
        // the prompt within the test's wait.
        WORKER_IDLE_MS: "10000",
      }),
      workerId: "w1",
      log,
      once,
      stopSignal: stop.signal,
    });
  const add = (type: "poem" | "image_prompt" = "poem") =>
    createPrompt(app, { type, text: "a lighthouse at dusk", priority: 0 }).id;

  it("leaves a paused stage's prompts queued without spinning, and starts them as soon as it is resumed", async () => {
    pauseStage(app, "write");
    const id = add();
    const running = loop();

    await new Promise((resolve) => setTimeout(resolve, 300));
    const cpuBefore = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const cpu = process.cpuUsage(cpuBefore);
    const queued = getPrompt(db, id)!;
    const resumedAt = Date.now();
    resumeStage(app, "write");
    await waitFor(() => getPrompt(db, id)!.status === "completed", 5000, 10);
    const startedAfterMs = Date.now() - resumedAt;
    stop.abort();
    await running;

    expect(queued).toMatchObject({ status: "unprocessed", attempts: 0 });
    // A loop that claimed over and over would use the whole second.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(300);
    expect(startedAfterMs).toBeLessThan(3000);
  });

  it("with render paused, writes the spec and leaves the render waiting; once returns", async () => {
    pauseStage(app, "render");
    const id = add("image_prompt");

    await loop(true);

    expect(getPrompt(db, id)).toMatchObject({
      status: "completed",
      artifactStatus: "pending",
    });
  });
});
