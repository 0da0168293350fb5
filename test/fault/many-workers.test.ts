import { asc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { promptEvents, type PromptEvent } from "@/db/schema";
import type { PromptJson } from "@/lib/api-types";
import {
  busyLines,
  checkOutcome,
  mixedSamples,
  killTree,
} from "../helpers/fault";
import {
  startApp,
  startWorker,
  waitFor,
  type Running,
  type RunningApp,
} from "../helpers/processes";
import { samples } from "../helpers/samples";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const promptCount = 500;
const workerCount = 4;
const clientsInFlight = 8;

/**
 * Every claim in a timeline, and what ended it: a claim must be ended by its
 * own worker (a result) or by no worker (a lease taken back), never by
 * another claim or another worker's result.
 */
function findClaimProblems(events: PromptEvent[]): string[] {
  const problems: string[] = [];
  let open: PromptEvent | null = null;
  for (const event of events) {
    if (open && event.workerId !== null && event.workerId !== open.workerId) {
      problems.push(
        `event ${event.id} (${event.reason}) by ${event.workerId} during ` +
          `${open.workerId}'s claim ${open.id}`,
      );
    }
    open = event.reason.endsWith("started") ? event : null;
  }
  return problems;
}

async function submitOverHttp(baseUrl: string): Promise<number[]> {
  const queue = mixedSamples(samples, promptCount);
  const ids: number[] = [];
  const client = async () => {
    for (let sample = queue.shift(); sample; sample = queue.shift()) {
      const response = await fetch(`${baseUrl}/api/prompts`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(sample),
      });
      if (response.status !== 201) {
        throw new Error(`POST answered ${response.status}`);
      }
      ids.push(((await response.json()) as { prompt: PromptJson }).prompt.id);
    }
  };
  await Promise.all(Array.from({ length: clientsInFlight }, client));
  return ids;
}

// Issue 3, items 4 and 7: four workers and the app on one file, a client
// submitting 500 prompts over HTTP: each stage claimed once per attempt,
// and no busy error anywhere.
describe("four workers and the app on one database", () => {
  let workspace: Workspace;
  let db: Db;
  let app: RunningApp;
  const workers: Running[] = [];
  beforeAll(async () => {
    workspace = makeWorkspace("poets-fault-many-");
    app = await startApp(workspace.env);
    db = openDatabase(workspace.dbPath);
  });
  afterAll(async () => {
    await Promise.all(workers.map(killTree));
    await app?.stop();
    db?.$client.close();
    workspace?.cleanup();
  });

  it("finishes 500 prompts with each stage claimed once per attempt", async () => {
    for (let i = 0; i < workerCount; i++) {
      workers.push(
        startWorker({
          ...workspace.env,
          LEASE_MS: "10000",
          HEARTBEAT_MS: "500",
          WORKER_STALE_MS: "2000",
        }),
      );
    }

    const ids = await submitOverHttp(app.baseUrl);
    await waitFor(
      () =>
        checkOutcome(db, workspace.artifactsDir, ids).completed === ids.length,
      120_000,
      500,
    );

    const outcome = checkOutcome(db, workspace.artifactsDir, ids);
    expect(outcome.problems).toEqual([]);
    expect(outcome).toMatchObject({ completed: promptCount, duplicated: 0 });
    const events = db
      .select()
      .from(promptEvents)
      .orderBy(asc(promptEvents.id))
      .all();
    const byPrompt = new Map<number, PromptEvent[]>();
    for (const e of events) {
      byPrompt.set(e.promptId, [...(byPrompt.get(e.promptId) ?? []), e]);
    }
    const claimProblems = [...byPrompt.values()].flatMap(findClaimProblems);
    expect(claimProblems).toEqual([]);
    const stages = ids.length + outcome.mediaCompleted;
    const takenBack = events.filter((e) => e.reason === "lease expired");
    const started = events.filter((e) => e.reason.endsWith("started"));
    expect(started.length).toBe(stages + takenBack.length);
    const claimers = new Set(
      events.filter((e) => e.reason.endsWith("started")).map((e) => e.workerId),
    );
    expect(claimers.size).toBeGreaterThan(1);
    for (const worker of workers) expect(await worker.stop()).toBe(0);
    for (const process of [app, ...workers]) {
      expect(busyLines(process.output())).toEqual([]);
    }
  }, 170_000);
});
