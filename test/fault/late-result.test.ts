import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { createPrompt, getPrompt, requeuePrompt } from "@/db/prompts";
import { promptEvents, writings } from "@/db/schema";
import { checkOutcome, findWorkerRow, killTree } from "../helpers/fault";
import { startWorker, waitFor, type Running } from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

// Issue 3, item 7: an admin requeues a prompt while its worker still runs;
// the old worker's result, when it comes, must be refused.
describe("a result that arrives after a requeue", () => {
  let workspace: Workspace;
  let db: Db;
  const running: Running[] = [];
  beforeEach(() => {
    workspace = makeWorkspace("poets-fault-late-");
    db = openDatabase(workspace.dbPath);
  });
  afterEach(async () => {
    await Promise.all(running.map(killTree));
    db.$client.close();
    workspace.cleanup();
  });

  it("is refused, and the second worker's writing is the only one", async () => {
    const prompt = createPrompt(db, {
      type: "story",
      text: "a lighthouse keeper's last night",
      priority: 0,
    });
    // Beats far apart, so the old worker learns of the requeue only when
    // it tries to record, not from a heartbeat.
    const slowEnv = {
      ...workspace.env,
      BUILTIN_DELAY_MS: "4000",
      LEASE_MS: "60000",
      HEARTBEAT_MS: "20000",
      WORKER_STALE_MS: "60000",
      LOG_LEVEL: "info",
    };
    const oldStartedAt = Date.now() - 5;
    const oldWorker = startWorker(slowEnv);
    running.push(oldWorker);
    await waitFor(
      () => getPrompt(db, prompt.id)!.status === "processing",
      20_000,
    );
    const oldId = findWorkerRow(db, oldStartedAt)!.id;
    const newStartedAt = Date.now() - 5;
    const newWorker = startWorker({ ...workspace.env, BUILTIN_DELAY_MS: "0" });
    running.push(newWorker);
    await waitFor(() => findWorkerRow(db, newStartedAt)?.id !== oldId, 20_000);

    requeuePrompt(db, prompt.id);
    await waitFor(() => getPrompt(db, prompt.id)!.status === "completed", 5000);
    await waitFor(
      () =>
        oldWorker.output().includes("prompt requeued under a running stage"),
      10_000,
    );

    expect(await oldWorker.stop("SIGTERM")).toBe(0);
    expect(await newWorker.stop("SIGTERM")).toBe(0);
    const rows = db
      .select()
      .from(writings)
      .where(eq(writings.promptId, prompt.id))
      .all();
    expect(rows).toHaveLength(1);
    const events = db
      .select()
      .from(promptEvents)
      .where(eq(promptEvents.promptId, prompt.id))
      .all();
    expect(events.map((e) => [e.reason, e.workerId === oldId])).toEqual([
      ["submitted", false],
      ["writing started", true],
      ["requeued", false],
      ["writing started", false],
      ["writing finished", false],
    ]);
    expect(getPrompt(db, prompt.id)).toMatchObject({
      status: "completed",
      outputReference: rows[0].id,
      leaseToken: null,
    });
    expect(checkOutcome(db, workspace.artifactsDir, [prompt.id])).toMatchObject(
      { problems: [], completed: 1, duplicated: 0 },
    );
  }, 40_000);
});
