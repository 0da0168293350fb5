import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { useAppSuite } from "../../helpers/app-suite";
import {
  markWorkerStopped,
  recordHeartbeat,
  registerWorker,
} from "@/db/workers";
import { claimNextPrompt } from "@/db/claims";
import { cancelPrompt, createPrompt, getPromptDetail } from "@/db/prompts";
import { waitForBackend } from "@/db/stage-failures";
import { startApp } from "../../helpers/processes";
import { makeWorkspace, type Workspace } from "../../helpers/workspace";

// Each case builds on the workers the previous ones registered, with the
// times of their heartbeats set explicitly.
describe("GET /api/health", () => {
  const suite = useAppSuite();

  const health = async () =>
    (await fetch(`${suite.app.baseUrl}/api/health`)).json();
  const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);
  const other = () => `${suite.workspace.dir}/other.db`;
  /** When the prompt's first "waiting for backend" event was recorded. */
  const waitedSince = (id: number) =>
    getPromptDetail(suite.db, id)!
      .events.find((e) => e.reason === "waiting for backend")!
      .createdAt.toISOString();

  it("says no worker uses this file when none has registered", async () => {
    const body = await health();

    expect(body.ok).toBe(false);
    expect(body.db).toMatchObject({
      path: suite.workspace.dbPath,
      journalMode: "wal",
      walBytes: expect.any(Number),
    });
    expect(body.db).toHaveProperty("lastCheckpointAt");
    expect(body.workers).toEqual([]);
    expect(body.reasons.join()).toContain(
      `no worker has registered in ${suite.workspace.dbPath}`,
    );
  });

  it("says so when a running worker's database is another file", async () => {
    const other = `${suite.workspace.dir}/other.db`;
    fs.writeFileSync(other, "");
    registerWorker(suite.db, { id: "w-other", version: "test", dbPath: other });

    const body = await health();

    expect(body.ok).toBe(false);
    expect(body.reasons.join()).toContain(
      `worker w-other uses ${other} but the app uses ${suite.workspace.dbPath}`,
    );
  });

  it("is ok with a live worker on the same file, reached by another path", async () => {
    markWorkerStopped(suite.db, "w-other", secondsAgo(300));
    const alias = `${suite.workspace.dir}/alias.db`;
    fs.symlinkSync(suite.workspace.dbPath, alias);
    registerWorker(suite.db, { id: "w-same", version: "test", dbPath: alias });

    const body = await health();

    expect(body).toMatchObject({
      ok: true,
      reasons: [],
      worker: { id: "w-same", alive: true },
    });
  });

  it("reports a worker that went silent (a crash) with how long ago", async () => {
    recordHeartbeat(suite.db, "w-same", 7, secondsAgo(60));

    const body = await health();

    expect(body.ok).toBe(false);
    expect(body.worker).toMatchObject({ id: "w-same", alive: false });
    expect(body.reasons.join()).toMatch(
      /the last worker heartbeat was 6\d s ago \(w-same on /,
    );
  });

  it("reports a worker that stopped", async () => {
    markWorkerStopped(suite.db, "w-same", secondsAgo(5));

    const body = await health();

    expect(body.ok).toBe(false);
    expect(body.reasons.join()).toMatch(
      /no worker is running: the last one \(w-same\) stopped \d s ago/,
    );
  });

  it("is ok again once a worker runs, whatever older ones did", async () => {
    registerWorker(suite.db, {
      id: "w-new",
      version: "test",
      dbPath: suite.workspace.dbPath,
    });

    const body = await health();

    expect(body).toMatchObject({ ok: true, worker: { id: "w-new" } });
  });

  it("lists every worker seen in the last day as alive, dead or stopped", async () => {
    registerWorker(suite.db, {
      id: "w-dead",
      version: "0.0.9",
      dbPath: other(),
    });
    recordHeartbeat(suite.db, "w-dead", 12, secondsAgo(90));
    registerWorker(
      suite.db,
      { id: "w-gone", version: "0.0.1", dbPath: suite.workspace.dbPath },
      secondsAgo(2 * 24 * 3600),
    );

    const body = await health();

    const byId = Object.fromEntries(
      body.workers.map((w: { id: string }) => [w.id, w]),
    );
    expect(Object.keys(byId).sort()).toEqual([
      "w-dead",
      "w-new",
      "w-other",
      "w-same",
    ]);
    expect(byId["w-new"]).toMatchObject({
      state: "alive",
      alive: true,
      host: expect.any(String),
      pid: expect.any(Number),
      version: "test",
      dbPath: suite.workspace.dbPath,
      startedAt: expect.any(String),
      lastHeartbeatAt: expect.any(String),
      stoppedAt: null,
      currentPromptId: null,
    });
    expect(byId["w-dead"]).toMatchObject({
      state: "dead",
      alive: false,
      currentPromptId: 12,
      stoppedAt: null,
    });
    expect(byId["w-same"]).toMatchObject({
      state: "stopped",
      stoppedAt: expect.any(String),
    });
    expect(body.workers[0].id).toBe("w-new");
    // A dead worker on another file is not a live one on another file.
    expect(body).toMatchObject({ ok: true, reasons: [] });
  });

  /** A worker claims the next poem and finds its backend down. */
  const tryAndWait = (reason: string) => {
    const claim = claimNextPrompt(suite.db, {
      workerId: "w-new",
      leaseMs: 30_000,
      stage: "write",
    })!;
    waitForBackend(suite.db, claim, {
      waitingReason: reason,
      runAfter: new Date(Date.now() + 60_000),
      now: new Date(),
    });
    return claim;
  };

  it("names what prompts wait for while a backend is down, in the worker's words", async () => {
    const reason =
      "unreachable: the model server at http://127.0.0.1:9/v1 did not answer";
    const waiting = [1, 2].map(() => {
      createPrompt(suite.db, { type: "poem", text: "rain", priority: 0 });
      return tryAndWait(reason);
    });

    const body = await health();

    expect(body.ok).toBe(false);
    const since = waitedSince(waiting[0].prompt.id);
    expect(body.reasons).toEqual([
      `2 prompts wait for a backend since ${since}: ${reason}`,
    ]);
    for (const claim of waiting) cancelPrompt(suite.db, claim.prompt.id);
    expect(await health()).toMatchObject({ ok: true, reasons: [] });
  });

  it("counts the prompts queued behind one waiting for its model server", async () => {
    const reason =
      "unreachable: language model server unreachable at " +
      "http://127.0.0.1:9/v1 (ECONNREFUSED)";
    const ids = [1, 2, 3].map(
      () =>
        createPrompt(suite.db, { type: "poem", text: "rain", priority: 0 }).id,
    );
    // The worker tries one; it holds the other two back until the server
    // answers, so only the one that tried has a waiting reason.
    const claim = tryAndWait(reason);

    const body = await health();

    expect(body.ok).toBe(false);
    expect(body.reasons).toEqual([
      `3 prompts wait for a backend since ${waitedSince(claim.prompt.id)} ` +
        `(1 tried it, 2 queued behind): ${reason}`,
    ]);
    for (const id of ids) cancelPrompt(suite.db, id);
    expect(await health()).toMatchObject({ ok: true, reasons: [] });
  });

  it("calls a gone process on this host dead at once, and trusts a heartbeat elsewhere", async () => {
    const exited = spawnSync(process.execPath, ["-e", ""]);
    const setProcess = (id: string, host: string) =>
      suite.db.$client
        .prepare("update workers set host = ?, pid = ? where id = ?")
        .run(host, exited.pid, id);
    registerWorker(suite.db, {
      id: "w-killed",
      version: "test",
      dbPath: suite.workspace.dbPath,
    });
    setProcess("w-killed", os.hostname());
    registerWorker(suite.db, {
      id: "w-elsewhere",
      version: "test",
      dbPath: suite.workspace.dbPath,
    });
    setProcess("w-elsewhere", `not-${os.hostname()}`);

    const body = await health();

    const byId = Object.fromEntries(
      body.workers.map((w: { id: string }) => [w.id, w]),
    );
    expect(byId["w-killed"]).toMatchObject({
      state: "dead",
      alive: false,
      processGone: true,
    });
    expect(byId["w-elsewhere"]).toMatchObject({
      state: "alive",
      alive: true,
      processGone: false,
    });
    for (const id of ["w-killed", "w-elsewhere"]) {
      markWorkerStopped(suite.db, id);
    }
  });

  it("says no worker is alive when every listed one is dead or stopped", async () => {
    recordHeartbeat(suite.db, "w-new", null, secondsAgo(45));

    const body = await health();

    expect(body.ok).toBe(false);
    expect(body.workers.map((w: { state: string }) => w.state)).not.toContain(
      "alive",
    );
    expect(body.reasons.join()).toMatch(/no worker is running/);
  });
});

describe("the app on a database folder where WAL cannot work", () => {
  let workspace: Workspace;
  afterAll(() => workspace?.cleanup());

  it("stops at start naming the folder, the file system and the fix", async () => {
    workspace = makeWorkspace();

    const starting = startApp({
      ...workspace.env,
      POETS_ASSUME_FS_TYPE: "fuse.grpcfuse",
    });

    await expect(starting).rejects.toThrow(
      `The database folder ${workspace.dir} is on a container desktop's ` +
        "shared folder (file system fuse.grpcfuse)",
    );
    expect(fs.existsSync(workspace.dbPath)).toBe(false);
  });
});
