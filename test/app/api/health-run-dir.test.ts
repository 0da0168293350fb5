import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startApp,
  startWorker,
  waitFor,
  type Running,
  type RunningApp,
} from "../../helpers/processes";
import { makeWorkspace, type Workspace } from "../../helpers/workspace";

type Health = {
  ok: boolean;
  reasons: string[];
  otherFileWorkers: { workerId: string; pid: number; dbPath: string }[];
};

// The most common deployment mistake: the worker starts with another
// DATABASE_PATH than the app. Its heartbeats land in its own file, so the
// app finds it only through the shared RUN_DIR.
describe("GET /api/health with a worker on another database file", () => {
  let a: Workspace;
  let b: Workspace;
  let app: RunningApp;
  const workers: Running[] = [];

  beforeAll(async () => {
    a = makeWorkspace();
    b = makeWorkspace();
    app = await startApp(a.env);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await app?.stop();
    a?.cleanup();
    b?.cleanup();
  });

  const health = async (): Promise<Health> =>
    (await fetch(`${app.baseUrl}/api/health`)).json() as Promise<Health>;
  const healthWhen = async (check: (body: Health) => boolean) => {
    let last: Health | undefined;
    await waitFor(async () => check((last = await health())), 20_000, 100);
    return last as Health;
  };

  it("names both files when the only worker uses another one", async () => {
    const worker = startWorker({ ...b.env, RUN_DIR: a.runDir });
    workers.push(worker);
    const otherPath = `${fs.realpathSync(b.dir)}/poets.db`;

    const body = await healthWhen((h) => h.otherFileWorkers?.length > 0);

    expect(body.ok).toBe(false);
    const pid = worker.child.pid;
    const reasons = body.reasons.join("\n");
    expect(reasons).toMatch(
      new RegExp(
        `worker \\S+ \\(pid ${pid}\\) is using another database file: ` +
          `${escape(otherPath)}; this app uses ${escape(a.dbPath)}`,
      ),
    );
    expect(reasons).toContain(
      `no worker is running against ${a.dbPath}, but a worker runs ` +
        "against another database file",
    );
    expect(reasons).not.toContain("no worker has registered");
    expect(body.otherFileWorkers).toEqual([
      expect.objectContaining({ pid, dbPath: otherPath }),
    ]);
  });

  it("is ok once the wrong worker stops and one on the app's file runs", async () => {
    expect(await workers[0].stop()).toBe(0);
    workers.push(startWorker(a.env));

    const body = await healthWhen((h) => h.ok);

    expect(body).toMatchObject({ ok: true, reasons: [], otherFileWorkers: [] });
    expect(fs.readdirSync(`${a.runDir}/workers`)).toHaveLength(1);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
