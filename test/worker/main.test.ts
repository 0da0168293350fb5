import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { promptEvents } from "@/db/schema";
import {
  createPrompt,
  getPrompt,
  getPromptDetail,
  listPrompts,
} from "@/db/prompts";
import { listWorkers } from "@/db/workers";
import { isMediaType } from "@/lib/prompt-types";
import { startWorker, waitFor, type Running } from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";
import { samples } from "../helpers/samples";

// The worker runs as its own process, as `npm run worker` starts it; the
// test process shares only the database file with it.
describe("worker process", () => {
  let workspace: Workspace;
  let db: Db;
  let worker: Running | undefined;
  let other: Running | undefined;
  beforeEach(() => {
    workspace = makeWorkspace();
    db = openDatabase(workspace.dbPath);
  });
  afterEach(async () => {
    await worker?.stop("SIGKILL");
    await other?.stop("SIGKILL");
    worker = other = undefined;
    db.$client.close();
    workspace.cleanup();
  });

  it("drains every sample, both stages, with --once and exits 0", async () => {
    for (const sample of samples) createPrompt(db, { ...sample, priority: 0 });

    worker = startWorker(workspace.env, ["--once"]);

    expect(await worker.exited).toBe(0);
    const { items } = listPrompts(db, { limit: 100 });
    expect(items).toHaveLength(samples.length);
    for (const prompt of items) {
      const detail = getPromptDetail(db, prompt.id)!;
      expect(prompt.status).toBe("completed");
      expect(detail.writing).not.toBeNull();
      if (!isMediaType(prompt.type)) continue;
      expect(prompt.artifactStatus).toBe("ready");
      const file = path.join(
        workspace.artifactsDir,
        detail.artifacts[0].fileName,
      );
      expect(fs.statSync(file).size).toBe(detail.artifacts[0].sizeBytes);
    }
    expect(listWorkers(db)[0]).toMatchObject({
      dbPath: fs.realpathSync(workspace.dbPath),
      stoppedAt: expect.any(Date),
      version: "0.1.0",
    });
  });

  it("starts a prompt submitted while it idles within a second", async () => {
    // A long idle interval: only the watch on commits can wake it in time.
    worker = startWorker({ ...workspace.env, WORKER_IDLE_MS: "10000" });
    await waitFor(() => listWorkers(db).length > 0, 20_000);

    const prompt = createPrompt(db, {
      type: "poem",
      text: "rain",
      priority: 0,
    });

    await waitFor(
      () => getPrompt(db, prompt.id)!.status !== "unprocessed",
      1000,
      10,
    );
    expect(await worker.stop("SIGTERM")).toBe(0);
    expect(listWorkers(db)[0].stoppedAt).toBeInstanceOf(Date);
  });

  it("gives back its prompt when one stop request arrives twice at once", async () => {
    // Ctrl+C reaches every process in the group, and tsx passes it on too:
    // the copies must not count as a person asking a second time.
    worker = startWorker({
      ...workspace.env,
      BUILTIN_DELAY_MS: "30000",
      SHUTDOWN_GRACE_MS: "300",
    });
    const prompt = createPrompt(db, {
      type: "story",
      text: "a long story",
      priority: 0,
    });
    await waitFor(
      () => getPrompt(db, prompt.id)!.status === "processing",
      20_000,
    );

    worker.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 20));
    worker.child.kill("SIGTERM");

    expect(await worker.exited).toBe(0);
    const after = getPrompt(db, prompt.id)!;
    expect(after.status).toBe("unprocessed");
    expect(after.leaseOwner).toBeNull();
    expect(worker.output()).not.toContain("exiting at once");
  });

  it("says what is wrong with its configuration and exits 1", async () => {
    worker = startWorker({ ...workspace.env, LEASE_MS: "soon" });

    expect(await worker.exited).toBe(1);
    expect(worker.output()).toContain("LEASE_MS");
  });

  it("writes with the built-in writer without reading WRITING_CONFIG", async () => {
    // The README promises the file is read only when LLM_BASE_URL is set;
    // a missing one must not stop a worker that does not use it.
    const prompt = createPrompt(db, {
      type: "poem",
      text: "rain",
      priority: 0,
    });

    worker = startWorker(
      {
        ...workspace.env,
        LLM_BASE_URL: "",
        LLM_MODEL: "",
        LLM_API_KEY: "",
        WRITING_CONFIG: path.join(workspace.dir, "nope.json"),
      },
      ["--once"],
    );

    expect(await worker.exited).toBe(0);
    expect(worker.output()).not.toContain("writing config");
    expect(getPrompt(db, prompt.id)?.status).toBe("completed");
  });

  it("stops at start, naming the file, when a ComfyUI workflow is not in API format", async () => {
    const workflows = path.join(workspace.dir, "workflows");
    fs.cpSync(path.resolve("workflows"), workflows, { recursive: true });
    fs.writeFileSync(
      path.join(workflows, "song.json"),
      JSON.stringify({ nodes: [], links: [] }),
    );
    const prompt = createPrompt(db, {
      type: "poem",
      text: "rain on a tin roof",
      priority: 0,
    });

    worker = startWorker({
      ...workspace.env,
      COMFYUI_URL: "http://127.0.0.1:9",
      COMFYUI_WORKFLOWS_DIR: workflows,
    });

    expect(await worker.exited).toBe(1);
    expect(worker.output()).toContain(
      `Invalid ComfyUI workflow: ${path.join(workflows, "song.json")}`,
    );
    expect(worker.output()).toContain("Export (API)");
    expect(listWorkers(db)).toEqual([]);
    expect(getPrompt(db, prompt.id)?.status).toBe("unprocessed");
  });

  it("stops at start when the artifacts folder cannot be used", async () => {
    const file = path.join(workspace.dir, "not-a-folder");
    fs.writeFileSync(file, "");
    const artifactsDir = path.join(file, "artifacts");
    createPrompt(db, {
      type: "image_prompt",
      text: "a lighthouse",
      priority: 0,
    });

    worker = startWorker({ ...workspace.env, ARTIFACTS_DIR: artifactsDir });

    expect(await worker.exited).toBe(1);
    expect(worker.output()).toContain(`${file} is a file, not a folder`);
    expect(listPrompts(db, { limit: 10 }).items[0].status).toBe("unprocessed");
  });

  it("shares one file with a second worker, each stage claimed once", async () => {
    const env = {
      ...workspace.env,
      BUILTIN_DELAY_MS: "20",
      WRITE_CONCURRENCY: "3",
      RENDER_CONCURRENCY: "2",
    };
    worker = startWorker(env);
    other = startWorker(env);
    await waitFor(() => listWorkers(db).length === 2, 20_000);
    for (let i = 0; i < 5; i++) {
      for (const sample of samples) {
        createPrompt(db, { ...sample, priority: i % 3 });
      }
    }

    await waitFor(
      () =>
        listPrompts(db, { limit: 500 }).items.every(
          (p) => p.status === "completed" && p.artifactStatus !== "pending",
        ),
      60_000,
    );

    expect(await worker.stop("SIGTERM")).toBe(0);
    expect(await other.stop("SIGTERM")).toBe(0);
    const events = db.select().from(promptEvents).all();
    const started = events.filter((e) => e.reason.endsWith(" started"));
    const claims = started.map((e) => `${e.promptId} ${e.reason}`);
    const { items } = listPrompts(db, { limit: 500 });
    expect(items).toHaveLength(5 * samples.length);
    const stageCount = items.reduce(
      (sum, p) => sum + (isMediaType(p.type) ? 2 : 1),
      0,
    );
    expect(claims).toHaveLength(stageCount);
    expect(new Set(claims).size).toBe(claims.length);
    expect(new Set(started.map((e) => e.workerId)).size).toBe(2);
    for (const prompt of items) {
      const detail = getPromptDetail(db, prompt.id)!;
      const isMedia = isMediaType(prompt.type);
      expect(detail.artifacts).toHaveLength(isMedia ? 1 : 0);
      expect(prompt.attempts).toBe(isMedia ? 1 : 0);
    }
  });
});
