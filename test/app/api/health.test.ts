import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import {
  markWorkerStopped,
  recordHeartbeat,
  registerWorker,
} from "@/db/workers";
import { startApp, type RunningApp } from "../../helpers/processes";
import { makeWorkspace, type Workspace } from "../../helpers/workspace";

// Each case builds on the workers the previous ones registered, with the
// times of their heartbeats set explicitly.
describe("GET /api/health", () => {
  let workspace: Workspace;
  let app: RunningApp;
  let db: Db;

  beforeAll(async () => {
    workspace = makeWorkspace();
    db = openDatabase(workspace.dbPath);
    app = await startApp(workspace.env);
  });
  afterAll(async () => {
    await app?.stop();
    db?.$client.close();
    workspace?.cleanup();
  });

  const health = async () => (await fetch(`${app.baseUrl}/api/health`)).json();
  const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);

  it("says no worker uses this file when none has registered", async () => {
    const body = await health();

    expect(body.ok).toBe(false);
    expect(body.db).toMatchObject({
      path: workspace.dbPath,
      journalMode: "wal",
    });
    expect(body.reasons.join()).toContain(
      `no worker has registered in ${workspace.dbPath}`,
    );
  });

  it("says so when a running worker's database is another file", async () => {
    const other = `${workspace.dir}/other.db`;
    fs.writeFileSync(other, "");
    registerWorker(db, { id: "w-other", version: "test", dbPath: other });

    const body = await health();

    expect(body.ok).toBe(false);
    expect(body.reasons.join()).toContain(
      `worker w-other uses ${other} but the app uses ${workspace.dbPath}`,
    );
  });

  it("is ok with a live worker on the same file, reached by another path", async () => {
    markWorkerStopped(db, "w-other", secondsAgo(300));
    const alias = `${workspace.dir}/alias.db`;
    fs.symlinkSync(workspace.dbPath, alias);
    registerWorker(db, { id: "w-same", version: "test", dbPath: alias });

    const body = await health();

    expect(body).toMatchObject({
      ok: true,
      reasons: [],
      worker: { id: "w-same", alive: true },
    });
  });

  it("reports a worker that went silent (a crash) with how long ago", async () => {
    recordHeartbeat(db, "w-same", 7, secondsAgo(60));

    const body = await health();

    expect(body.ok).toBe(false);
    expect(body.worker).toMatchObject({ id: "w-same", alive: false });
    expect(body.reasons.join()).toMatch(
      /the last worker heartbeat was 6\d s ago \(w-same on /,
    );
  });

  it("reports a worker that stopped", async () => {
    markWorkerStopped(db, "w-same", secondsAgo(5));

    const body = await health();

    expect(body.ok).toBe(false);
    expect(body.reasons.join()).toMatch(
      /no worker is running: the last one \(w-same\) stopped \d s ago/,
    );
  });

  it("is ok again once a worker runs, whatever older ones did", async () => {
    registerWorker(db, {
      id: "w-new",
      version: "test",
      dbPath: workspace.dbPath,
    });

    const body = await health();

    expect(body).toMatchObject({ ok: true, worker: { id: "w-new" } });
  });
});
