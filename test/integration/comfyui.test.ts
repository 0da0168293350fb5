import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { cancelPrompt, createPrompt, requeuePrompt } from "@/db/prompts";
import { listJobStops } from "@/db/render-job-stops";
import { listRenderServers } from "@/db/render-servers";
import {
  artifactRows,
  comfyEnv,
  eventReasons,
  filesUnder,
  isSettled,
  promptRow,
} from "../helpers/comfyui";
import { startFakeComfyUI, type FakeComfyUI } from "../helpers/fake-comfyui";
import { killHard, killTree } from "../helpers/fault";
import { startWorker, waitFor, type Running } from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const ready = { status: "completed", artifactStatus: "ready" } as const;

// The worker runs as its own process (npm run worker) with COMFYUI_URL set,
// against fake ComfyUI servers over real HTTP and WebSocket.
describe("the worker with ComfyUI", () => {
  let workspace: Workspace;
  let db: Db;
  let fakes: FakeComfyUI[];
  let workers: Running[];

  beforeEach(() => {
    workspace = makeWorkspace("poets-comfyui-");
    db = openDatabase(workspace.dbPath);
    fakes = [];
    workers = [];
  });
  afterEach(async () => {
    await Promise.all(workers.map((worker) => killTree(worker)));
    await Promise.all(fakes.map((fake) => fake.close()));
    db.$client.close();
    workspace.cleanup();
  });

  async function fakeServer() {
    const fake = await startFakeComfyUI();
    fakes.push(fake);
    return fake;
  }

  function worker(urls: string[], extra: Record<string, string> = {}) {
    const running = startWorker({
      ...workspace.env,
      ...comfyEnv(urls),
      ...extra,
    });
    workers.push(running);
    return running;
  }

  const addImage = () =>
    createPrompt(db, {
      type: "image_prompt",
      text: "a lighthouse at dusk",
      priority: 0,
    }).id;

  const settle = (id: number, timeoutMs = 20_000) =>
    waitFor(() => isSettled(db, id), timeoutMs, 20);

  it("renders an image, its progress reaching the prompt row", async () => {
    const fake = await fakeServer();
    Object.assign(fake.behaviour, { runMs: 1500, steps: 6 });
    worker([fake.url]);
    const id = addImage();
    const seen = new Set<number>();

    await waitFor(
      () => {
        const { progress } = promptRow(db, id);
        if (progress !== null) seen.add(progress);
        return isSettled(db, id);
      },
      20_000,
      10,
    );

    const rows = artifactRows(db, id);
    expect(promptRow(db, id)).toMatchObject({
      ...ready,
      attempts: 1,
      lastError: null,
      progress: 100,
    });
    expect([...seen].some((p) => p > 0 && p < 100)).toBe(true);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "image", backend: "comfyui" });
    expect(filesUnder(workspace.artifactsDir)).toEqual([rows[0].fileName]);
    expect(fake.count("POST /prompt")).toBe(1);
    expect(fake.count("GET /ws")).toBeGreaterThanOrEqual(1);
    expect(fake.submissions[0].promptId).toBe(promptRow(db, id).renderJobId);
    expect(fake.submissions[0].clientId).toMatch(/^poets-/);
  });

  it("waits while ComfyUI refuses connections, burning no attempt, and finishes once it answers", async () => {
    const fake = await fakeServer();
    await fake.stop();
    worker([fake.url]);
    const id = addImage();

    await waitFor(() => promptRow(db, id).waitingReason !== null, 20_000);
    const waiting = promptRow(db, id);
    // Several retry periods (UNREACHABLE_RETRY_MS) of outage.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const waits = eventReasons(db, id).filter(
      (r) => r === "waiting for backend",
    );
    await fake.start();
    await settle(id);

    expect(waiting).toMatchObject({
      status: "completed",
      artifactStatus: "pending",
      attempts: 0,
      waitingReason: `unreachable: ComfyUI unreachable at ${fake.url}`,
    });
    expect(promptRow(db, id)).toMatchObject({
      ...ready,
      attempts: 1,
      lastError: null,
      waitingReason: null,
    });
    // It waited once, not once per retry, while the server stayed down.
    expect(waits).toEqual(["waiting for backend"]);
    expect(artifactRows(db, id)).toHaveLength(1);
    expect(fake.count("POST /prompt")).toBe(1);
    const [server] = listRenderServers(db, [fake.url]);
    expect(server.state).toMatchObject({
      healthy: true,
      version: "0.3.99-fake",
    });
  });

  it("adopts the job when ComfyUI comes back after going down mid-render", async () => {
    const fake = await fakeServer();
    fake.behaviour.runMs = 1200;
    worker([fake.url]);
    const id = addImage();
    await waitFor(() => fake.runningId !== null, 20_000);
    const jobId = fake.runningId!;

    await fake.stop();
    await waitFor(() => promptRow(db, id).waitingReason !== null, 10_000);
    await waitFor(() => fake.hasHistory(jobId), 10_000);
    await fake.start();
    await settle(id);

    // The job finished on the server while it was unreachable; the next
    // claim found it in history and fetched its file, no second submission.
    expect(promptRow(db, id)).toMatchObject({
      ...ready,
      attempts: 1,
      lastError: null,
      renderJobId: jobId,
    });
    expect(eventReasons(db, id)).toContain("waiting for backend");
    expect(fake.count("POST /prompt")).toBe(1);
    expect(artifactRows(db, id)).toHaveLength(1);
    expect(filesUnder(workspace.artifactsDir)).toHaveLength(1);
  });

  it("submits again when ComfyUI comes back restarted, having forgotten the job", async () => {
    const fake = await fakeServer();
    fake.behaviour.runMs = 1200;
    worker([fake.url]);
    const id = addImage();
    await waitFor(() => fake.runningId !== null, 20_000);

    await fake.stop();
    fake.forget();
    await waitFor(() => promptRow(db, id).waitingReason !== null, 10_000);
    fake.behaviour.runMs = 200;
    await fake.start();
    await settle(id);

    expect(promptRow(db, id)).toMatchObject({
      ...ready,
      attempts: 1,
      lastError: null,
    });
    expect(fake.count("POST /prompt")).toBe(2);
    expect(fake.submissions[1].promptId).toBe(fake.submissions[0].promptId);
    expect(artifactRows(db, id)).toHaveLength(1);
  });

  it("lets a successor adopt the finished result of a worker killed mid-render", async () => {
    const fake = await fakeServer();
    fake.behaviour.runMs = 800;
    const first = worker([fake.url]);
    const id = addImage();
    await waitFor(() => fake.runningId !== null, 20_000);
    const jobId = fake.runningId!;

    await killHard(first, first.child.pid ?? null);
    await waitFor(() => fake.hasHistory(jobId), 10_000);
    worker([fake.url]);
    await settle(id);

    expect(promptRow(db, id)).toMatchObject({
      ...ready,
      // The killed worker's attempt counts, as its lease expired.
      attempts: 2,
      lastError: null,
      renderJobId: jobId,
    });
    expect(eventReasons(db, id)).toContain("lease expired");
    expect(fake.count("POST /prompt")).toBe(1);
    expect(artifactRows(db, id)).toHaveLength(1);
    expect(filesUnder(workspace.artifactsDir)).toHaveLength(1);
  });

  it("interrupts the job on ComfyUI when the prompt is requeued while rendering", async () => {
    const fake = await fakeServer();
    fake.behaviour.runMs = 3000;
    worker([fake.url]);
    const id = addImage();
    await waitFor(() => fake.runningId !== null, 20_000);
    const jobId = fake.runningId!;

    fake.behaviour.runMs = 200;
    requeuePrompt(db, id);
    await waitFor(() => fake.interrupts.length > 0, 10_000);
    await settle(id);

    // The worker's stop and the pool's may both reach it: the same job.
    expect(new Set(fake.interrupts)).toEqual(new Set([jobId]));
    expect(new Set(fake.queueDeletes)).toEqual(new Set([jobId]));
    expect(fake.hasHistory(jobId)).toBe(true);
    // Requeued, stage 2 ran again as a new job.
    expect(promptRow(db, id)).toMatchObject({ ...ready, attempts: 1 });
    expect(fake.count("POST /prompt")).toBe(2);
    expect(fake.submissions[1].promptId).not.toBe(jobId);
    expect(artifactRows(db, id)).toHaveLength(1);
  });

  it("interrupts the job on ComfyUI when the prompt is cancelled while rendering", async () => {
    const fake = await fakeServer();
    fake.behaviour.runMs = 5000;
    worker([fake.url]);
    const id = addImage();
    await waitFor(() => fake.runningId !== null, 20_000);
    const jobId = fake.runningId!;

    cancelPrompt(db, id);
    await waitFor(() => fake.interrupts.length > 0, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));

    // The worker following the job stops it; the pool's stop of the same
    // job may come first, which is harmless.
    expect(new Set(fake.interrupts)).toEqual(new Set([jobId]));
    expect(new Set(fake.queueDeletes)).toEqual(new Set([jobId]));
    expect(promptRow(db, id)).toMatchObject({
      status: "cancelled",
      artifactStatus: null,
    });
    expect(fake.count("POST /prompt")).toBe(1);
    expect(artifactRows(db, id)).toHaveLength(0);
    expect(filesUnder(workspace.artifactsDir)).toHaveLength(0);
  });

  it("stops the job on ComfyUI when its prompt is cancelled while no worker follows it", async () => {
    const fake = await fakeServer();
    fake.behaviour.runMs = 60_000;
    const first = worker([fake.url]);
    const id = addImage();
    await waitFor(() => fake.runningId !== null, 20_000);
    const jobId = fake.runningId!;
    await killHard(first, first.child.pid ?? null);

    cancelPrompt(db, id);
    fake.behaviour.runMs = 200;
    worker([fake.url]);
    await waitFor(() => fake.interrupts.length > 0, 10_000);
    const next = addImage();
    await settle(next);

    expect(fake.interrupts).toEqual([jobId]);
    expect(fake.hasHistory(jobId)).toBe(true);
    expect(promptRow(db, id)).toMatchObject({ status: "cancelled" });
    expect(artifactRows(db, id)).toHaveLength(0);
    // The next prompt did not wait behind the cancelled job.
    expect(promptRow(db, next)).toMatchObject({ ...ready, attempts: 1 });
    expect(fake.count("POST /prompt")).toBe(2);
    expect(listJobStops(db, fake.url)).toEqual([]);
  });

  it("stops the old job on a server that comes back after its prompt moved to another", async () => {
    const [a, b] = [await fakeServer(), await fakeServer()];
    a.behaviour.runMs = 60_000;
    worker([a.url, b.url]);
    const id = addImage();
    await waitFor(() => a.runningId !== null, 20_000);
    const oldJob = a.runningId!;

    // Server a goes silent with the job still running on it.
    await a.stop();
    await settle(id);
    expect(promptRow(db, id)).toMatchObject({ ...ready, renderServer: b.url });
    await a.start();
    // The stop is forgotten only after the server has answered it.
    await waitFor(() => listJobStops(db, a.url).length === 0, 10_000);

    expect(a.interrupts).toEqual([oldJob]);
    expect(a.count("POST /prompt")).toBe(1);
    expect(b.count("POST /prompt")).toBe(1);
    expect(artifactRows(db, id)).toHaveLength(1);
    expect(filesUnder(workspace.artifactsDir)).toHaveLength(1);
    expect(listJobStops(db, a.url)).toEqual([]);
  });

  it("sends every job to the healthy server, one at a time each, and uses a server again once it answers", async () => {
    const [up, down] = [await fakeServer(), await fakeServer()];
    await down.stop();
    worker([down.url, up.url], { RENDER_CONCURRENCY: "2" });
    const firstIds = [addImage(), addImage(), addImage()];
    for (const id of firstIds) await settle(id);
    await down.start();
    await waitFor(
      () => listRenderServers(db, [down.url])[0].state?.healthy === true,
      10_000,
    );
    const laterIds = [addImage(), addImage(), addImage(), addImage()];
    for (const id of laterIds) await settle(id);

    for (const id of [...firstIds, ...laterIds]) {
      expect(promptRow(db, id)).toMatchObject({ ...ready, attempts: 1 });
    }
    expect(firstIds.map((id) => promptRow(db, id).renderServer)).toEqual([
      up.url,
      up.url,
      up.url,
    ]);
    expect(up.maxUnfinished).toBe(1);
    expect(down.maxUnfinished).toBe(1);
    expect(down.count("POST /prompt")).toBeGreaterThan(0);
    expect(up.count("POST /prompt") + down.count("POST /prompt")).toBe(7);
    expect(filesUnder(workspace.artifactsDir)).toHaveLength(7);
  });
});
