import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backendsJson, findBackendProblems } from "@/app/api/_lib/backends";
import type { Db } from "@/db/client";
import { listRenderServers } from "@/db/render-servers";
import { parseConfig } from "@/lib/config";
import type { Logger } from "@/lib/log";
import { createServerPool, type ServerPool } from "@/worker/comfyui-servers";
import { loadWorkflows } from "@/worker/comfyui-workflows";
import { workflowsDir } from "../helpers/comfyui";
import { startFakeComfyUI, type FakeComfyUI } from "../helpers/fake-comfyui";
import { defaultCheckpoints } from "../helpers/fake-comfyui-data";
import { waitFor } from "../helpers/processes";
import { makeTestDb } from "../helpers/workspace";

const log = pino({ level: "silent" }) as unknown as Logger;
const workflows = Object.values(loadWorkflows(workflowsDir));

// The pool against a fake ComfyUI over real HTTP, on a real database.
describe("the ComfyUI server pool's workflow check", () => {
  let db: Db;
  let close: () => void;
  let fake: FakeComfyUI;
  let pool: ServerPool | undefined;

  beforeEach(async () => {
    ({ db, close } = makeTestDb());
    fake = await startFakeComfyUI();
  });
  afterEach(async () => {
    pool?.close();
    pool = undefined;
    await fake.close();
    close();
  });

  async function startPool(recheckMs = 60_000, logger = log) {
    pool = createServerPool({
      db,
      urls: [fake.url],
      capacity: 1,
      healthMs: 50,
      workerId: "w1",
      log: logger,
      workflows,
      recheckMs,
    });
    await pool.start();
  }

  const row = () => listRenderServers(db, [fake.url])[0].state;

  const checked = async () => {
    await waitFor(() => row()?.workflowProblems != null, 5000, 10);
    return row()!;
  };

  it("records no problems when the server has every class and checkpoint", async () => {
    await startPool();

    const state = await checked();

    expect(state.workflowProblems).toEqual([]);
    expect(state.healthy).toBe(true);
    expect(fake.count("GET /object_info")).toBe(1);
  });

  it("names a missing checkpoint, and health shows it", async () => {
    fake.objectInfo.checkpoints = ["a.safetensors", "b.safetensors"];
    await startPool();

    const state = await checked();

    const problem =
      'workflows/image.json node 4 (CheckpointLoaderSimple) input ckpt_name: "v1-5-pruned-emaonly.safetensors" is not on this server (it has: a.safetensors, b.safetensors)';
    expect(state.healthy).toBe(true);
    expect(state.workflowProblems).toContain(problem);
    const config = parseConfig({ COMFYUI_URL: fake.url });
    const backends = backendsJson(db, config, Date.now());
    const reasons = findBackendProblems(backends);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain(`ComfyUI at ${fake.url} cannot run`);
    expect(reasons[0]).toContain(problem);
    expect(pool!.choices()).toEqual([
      { url: fake.url, capacity: 1, healthy: true },
    ]);
  });

  it("says once that a server is down from the start, and once that it answers", async () => {
    const lines: { level: number; msg: string; url?: string }[] = [];
    const capture = { write: (line: string) => lines.push(JSON.parse(line)) };
    const logger = pino({ level: "info" }, capture) as unknown as Logger;
    await fake.stop();
    await startPool(60_000, logger);
    // Several probes fail while it is down.
    await new Promise((resolve) => setTimeout(resolve, 300));

    await fake.start();
    await waitFor(() => row()?.healthy === true, 5000, 10);

    const said = lines
      .filter((line) => /^ComfyUI server (un)?healthy$/.test(line.msg))
      .map(({ level, msg, url }) => ({ level, msg, url }));
    expect(said).toEqual([
      { level: 40, msg: "ComfyUI server unhealthy", url: fake.url },
      { level: 30, msg: "ComfyUI server healthy", url: fake.url },
    ]);
  });

  it("names a node class the server lacks", async () => {
    fake.objectInfo.dropped = ["TextEncodeAceStepAudio"];
    await startPool();

    const state = await checked();

    expect(state.workflowProblems).toEqual([
      "workflows/song.json node 14 (TextEncodeAceStepAudio): this ComfyUI has no such node (a custom node or a newer ComfyUI?)",
    ]);
  });

  it("keeps the server healthy when /object_info fails, and tries again later", async () => {
    fake.objectInfo.fails = true;
    await startPool(800);

    await waitFor(() => fake.count("GET /object_info") >= 1, 5000, 10);
    await new Promise((resolve) => setTimeout(resolve, 150));

    expect(row()?.healthy).toBe(true);
    expect(row()?.workflowProblems).toBeNull();
    expect(fake.count("GET /object_info")).toBe(1);
    fake.objectInfo.fails = false;
    expect((await checked()).workflowProblems).toEqual([]);
    expect(pool!.choices()[0].healthy).toBe(true);
  });

  it("checks again in a while a server that stays up: a checkpoint removed shows, and put back clears", async () => {
    await startPool(300);
    expect((await checked()).workflowProblems).toEqual([]);

    fake.objectInfo.checkpoints = ["ace_step_v1_3.5b.safetensors"];
    await waitFor(() => row()!.workflowProblems!.length === 1, 5000, 10);
    expect(row()!.workflowProblems![0]).toContain(
      '"v1-5-pruned-emaonly.safetensors" is not on this server',
    );
    fake.objectInfo.checkpoints = [...defaultCheckpoints];
    await waitFor(() => row()!.workflowProblems!.length === 0, 5000, 10);
    expect(row()!.healthy).toBe(true);
  });

  it("checks again when the server comes back with other checkpoints", async () => {
    await startPool();
    expect((await checked()).workflowProblems).toEqual([]);

    await fake.stop();
    await waitFor(() => row()?.healthy === false, 5000, 10);
    expect(row()?.workflowProblems).toBeNull();
    fake.objectInfo.checkpoints = ["ace_step_v1_3.5b.safetensors"];
    await fake.start();

    const state = await checked();

    expect(state.healthy).toBe(true);
    expect(state.workflowProblems).toEqual([
      expect.stringContaining(
        'node 4 (CheckpointLoaderSimple) input ckpt_name: "v1-5-pruned-emaonly.safetensors" is not on this server (it has: ace_step_v1_3.5b.safetensors)',
      ),
    ]);
    expect(fake.count("GET /object_info")).toBe(2);
  });
});
