import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { registerWorker, markWorkerStopped } from "@/db/workers";
import { startApp, type RunningApp } from "../../helpers/processes";
import { makeWorkspace, type Workspace } from "../../helpers/workspace";

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

  it("says so when the worker's database is another file", async () => {
    const other = `${workspace.dir}/other.db`;
    fs.writeFileSync(other, "");
    registerWorker(db, { id: "w-other", version: "test", dbPath: other });

    const body = await health();

    expect(body.ok).toBe(false);
    expect(body.reasons.join()).toContain(
      `the worker uses ${other} but the app uses`,
    );
  });

  it("is ok with a live worker on the same file, reached by another path", async () => {
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

  it("reports a stopped worker", async () => {
    markWorkerStopped(db, "w-other");
    markWorkerStopped(db, "w-same");

    const body = await health();

    expect(body.ok).toBe(false);
    expect(body.reasons.join()).toMatch(/the worker w-same stopped at/);
  });

  it("reports a worker whose heartbeat is stale", async () => {
    registerWorker(
      db,
      { id: "w-old", version: "test", dbPath: workspace.dbPath },
      new Date(Date.now() - 60_000),
    );

    const body = await health();

    expect(body.worker).toMatchObject({ id: "w-old", alive: false });
    expect(body.reasons.join()).toMatch(/has not sent a heartbeat since/);
  });
});
