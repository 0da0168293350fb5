import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { createPrompt } from "@/db/prompts";
import { registerWorker } from "@/db/workers";
import { parseConfig } from "@/lib/config";
import type { Logger } from "@/lib/log";
import type { MediaType } from "@/lib/prompt-types";
import { runWorkerLoop } from "@/worker/loop";
import {
  artifactRows,
  comfyEnv,
  filesUnder,
  isSettled,
  promptRow,
} from "../helpers/comfyui";
import { startFakeComfyUI, type FakeComfyUI } from "../helpers/fake-comfyui";
import { waitFor } from "../helpers/processes";
import { makeTestDb, type Workspace } from "../helpers/workspace";

const log = pino({ level: "silent" }) as unknown as Logger;

// The worker loop in this process against a fake ComfyUI over real HTTP and
// WebSocket, on a real database; test/integration/comfyui.test.ts runs the
// worker as its own process.
describe("stage 2 on ComfyUI", () => {
  let db: Db;
  let workspace: Workspace;
  let close: () => void;
  let fake: FakeComfyUI;
  let stop: AbortController;
  let loop: Promise<void> | undefined;

  beforeEach(async () => {
    ({ db, workspace, close } = makeTestDb());
    fake = await startFakeComfyUI();
    stop = new AbortController();
    registerWorker(db, { id: "w1", version: "test", dbPath: workspace.dbPath });
  });
  afterEach(async () => {
    stop.abort();
    await loop;
    loop = undefined;
    await fake.close();
    close();
  });

  function startLoop(extra: Record<string, string> = {}) {
    const env = {
      ...workspace.env,
      ...comfyEnv([fake.url]),
      MAX_ATTEMPTS: "3",
      ...extra,
    };
    loop = runWorkerLoop({
      db,
      config: parseConfig(env),
      workerId: "w1",
      log,
      once: false,
      stopSignal: stop.signal,
    });
  }

  async function renderOne(type: MediaType = "image_prompt") {
    const text =
      type === "image_prompt"
        ? "a lighthouse at dusk"
        : "a folk song about leaving home";
    const { id } = createPrompt(db, { type, text, priority: 0 });
    startLoop();
    await waitFor(() => isSettled(db, id), 15_000);
    return promptRow(db, id);
  }

  const artifactFiles = () => filesUnder(workspace.artifactsDir);

  it("finds a result by polling history when the socket stays silent", async () => {
    Object.assign(fake.behaviour, { silentSocket: true, historyDelayMs: 300 });

    const prompt = await renderOne();

    const rows = artifactRows(db, prompt.id);
    expect(prompt).toMatchObject({
      status: "completed",
      artifactStatus: "ready",
      attempts: 1,
      lastError: null,
      progress: 100,
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: "image",
      mimeType: "image/png",
      backend: "comfyui",
      width: 8,
      height: 8,
    });
    expect(rows[0].sourceName).toMatch(/^poets\/\d+-[0-9a-f]{8}_00001_\.png$/);
    expect(artifactFiles()).toEqual([rows[0].fileName]);
    expect(fake.count("POST /prompt")).toBe(1);
    expect(fake.count("GET /view")).toBe(1);
    // The job ran 400 ms and stayed 300 ms more before its history: many
    // polls saw it queued, and none counted it lost.
    expect(fake.count("GET /history/{id}")).toBeGreaterThan(5);
  });

  it("resubmits a prompt ComfyUI forgot after three checks find it nowhere", async () => {
    fake.behaviour.runMs = 1500;
    const { id } = createPrompt(db, {
      type: "image_prompt",
      text: "a lighthouse at dusk",
      priority: 0,
    });
    startLoop();
    await waitFor(() => fake.submissions.length === 1, 10_000);
    const queueChecks = fake.count("GET /queue");
    fake.behaviour.runMs = 200;

    fake.forget();
    await waitFor(() => isSettled(db, id), 15_000);

    const prompt = promptRow(db, id);
    const [first, second] = fake.submissions;
    expect(prompt).toMatchObject({
      status: "completed",
      artifactStatus: "ready",
      attempts: 2,
      lastError: null,
    });
    expect(fake.count("POST /prompt")).toBe(2);
    expect(fake.count("GET /queue") - queueChecks).toBeGreaterThanOrEqual(3);
    expect(artifactRows(db, id)).toHaveLength(1);
    expect(artifactFiles()).toHaveLength(1);
    // The same job id, since ComfyUI no longer knew it, but a new seed and
    // file name prefix, so that ComfyUI's cache cannot skip the work.
    expect(second.promptId).toBe(first.promptId);
    expect(second.graph["3"].inputs.seed).not.toBe(
      first.graph["3"].inputs.seed,
    );
    expect(second.graph["9"].inputs.filename_prefix).not.toBe(
      first.graph["9"].inputs.filename_prefix,
    );
  });

  it("fails at once when ComfyUI refuses the workflow, naming node, class and input", async () => {
    fake.behaviour.rejectWithNodeErrors = true;

    const prompt = await renderOne();

    expect(prompt).toMatchObject({
      status: "failed",
      artifactStatus: "failed",
      attempts: 1,
    });
    expect(prompt.lastError).toMatch(
      /^permanent: ComfyUI refused the workflow: node 4 \(CheckpointLoaderSimple\) input ckpt_name: Value not in list: ckpt_name: 'v1-5-pruned-emaonly\.safetensors' not in/,
    );
    expect(fake.count("POST /prompt")).toBe(1);
    expect(artifactRows(db, prompt.id)).toEqual([]);
    expect(artifactFiles()).toEqual([]);
  });

  it("fails when the workflow only previews, with no output files", async () => {
    fake.behaviour.outputs = "preview";

    const prompt = await renderOne();

    expect(prompt).toMatchObject({
      status: "failed",
      artifactStatus: "failed",
      attempts: 1,
    });
    expect(prompt.lastError).toMatch(
      /^permanent: ComfyUI returned no output files/,
    );
    expect(fake.count("POST /prompt")).toBe(1);
    expect(fake.count("GET /view")).toBe(0);
    expect(artifactRows(db, prompt.id)).toEqual([]);
    expect(artifactFiles()).toEqual([]);
  });

  it("retries a job that failed on the server, then fails with the node's exception", async () => {
    fake.behaviour.executionError = "CUDA out of memory";

    const prompt = await renderOne();

    expect(prompt).toMatchObject({
      status: "failed",
      artifactStatus: "failed",
      attempts: 3,
      lastError:
        "transient: ComfyUI failed at node 3 (KSampler): RuntimeError: " +
        "CUDA out of memory",
    });
    // Each retry found the failed job in history and submitted a new one.
    expect(fake.count("POST /prompt")).toBe(3);
    expect(new Set(fake.submissions.map((s) => s.promptId)).size).toBe(3);
    expect(artifactFiles()).toEqual([]);
  });

  it("stores a song's audio output as an audio artifact", async () => {
    fake.behaviour.outputs = "audio";

    const prompt = await renderOne("lyrics_prompt");

    const rows = artifactRows(db, prompt.id);
    const [submitted] = fake.submissions;
    expect(prompt).toMatchObject({
      status: "completed",
      artifactStatus: "ready",
      attempts: 1,
      lastError: null,
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: "audio",
      mimeType: "audio/wav",
      durationMs: 100,
      backend: "comfyui",
    });
    expect(rows[0].sourceName).toMatch(
      /^audio\/poets\/\d+-[0-9a-f]{8}_00001_\.wav$/,
    );
    expect(artifactFiles()).toEqual([rows[0].fileName]);
    expect(submitted.graph["14"].inputs.lyrics).toMatch(/^\[verse\]\n/);
    expect(submitted.graph["14"].inputs.tags).toEqual(expect.any(String));
    expect(fake.count("POST /prompt")).toBe(1);
  });

  it("fails a song whose workflow saved only an image, keeping no file", async () => {
    fake.behaviour.outputs = "image";

    const prompt = await renderOne("lyrics_prompt");

    expect(prompt).toMatchObject({
      status: "failed",
      artifactStatus: "failed",
      attempts: 1,
      lastError:
        "permanent: the render made no audio file, only image/png: " +
        "check the workflow's Save node",
    });
    expect(fake.count("POST /prompt")).toBe(1);
    expect(artifactRows(db, prompt.id)).toEqual([]);
    expect(artifactFiles()).toEqual([]);
  });

  it("stores a file whose ComfyUI name climbs out under a Poets name inside the artifacts folder", async () => {
    fake.behaviour.outputs = "traversal";
    const outside = ["..", "../.."].map((up) =>
      path.resolve(workspace.artifactsDir, up, "escape_00001_.png"),
    );
    const before = filesUnder(workspace.dir);

    const prompt = await renderOne();

    const [row] = artifactRows(db, prompt.id);
    expect(prompt).toMatchObject({
      status: "completed",
      artifactStatus: "ready",
      attempts: 1,
    });
    expect(row.sourceName).toBe("../../escape_00001_.png");
    expect(row.fileName).toMatch(new RegExp(`^${prompt.id}-[0-9a-f-]+\\.png$`));
    expect(artifactFiles()).toEqual([row.fileName]);
    expect(outside.filter((file) => fs.existsSync(file))).toEqual([]);
    const added = filesUnder(workspace.dir).filter((f) => !before.includes(f));
    expect(
      added.filter((f) => !f.startsWith("artifacts/") && !/^poets\.db/.test(f)),
    ).toEqual([]);
    expect(fake.count("POST /prompt")).toBe(1);
  });

  it("stops the job on ComfyUI when the render stage times out", async () => {
    fake.behaviour.runMs = 5000;
    const { id } = createPrompt(db, {
      type: "image_prompt",
      text: "a lighthouse at dusk",
      priority: 0,
    });

    startLoop({ COMFYUI_TIMEOUT_MS: "400", MAX_ATTEMPTS: "2" });
    await waitFor(() => isSettled(db, id), 15_000);

    expect(promptRow(db, id)).toMatchObject({
      status: "failed",
      artifactStatus: "failed",
      attempts: 2,
      lastError:
        "transient: the stage took longer than 400 ms (COMFYUI_TIMEOUT_MS) and was stopped",
    });
    const jobIds = fake.submissions.map((s) => s.promptId);
    expect(jobIds).toHaveLength(2);
    expect(fake.interrupts).toEqual(jobIds);
    expect(fake.queueDeletes).toEqual(jobIds);
    expect(artifactFiles()).toEqual([]);
  });

  it("leaves the job running on ComfyUI when the worker shuts down", async () => {
    fake.behaviour.runMs = 3000;
    const { id } = createPrompt(db, {
      type: "image_prompt",
      text: "a lighthouse at dusk",
      priority: 0,
    });
    startLoop();
    await waitFor(() => fake.runningId !== null, 10_000);
    const jobId = fake.runningId;

    stop.abort();
    await loop;

    expect(promptRow(db, id)).toMatchObject({
      status: "completed",
      artifactStatus: "pending",
      renderJobId: jobId,
    });
    expect(fake.interrupts).toEqual([]);
    expect(fake.runningId).toBe(jobId);
    expect(fake.count("POST /prompt")).toBe(1);
  });
});
