import { listWaitingReasons, readDatabaseFacts } from "@/db/health";
import type { Db } from "@/db/client";
import { countPrompts } from "@/db/prompts";
import { countFinishedSince, readStageDurations } from "@/db/stats";
import type { StatsJson, WorkerJson } from "@/lib/api-types";
import { getConfig } from "@/lib/config";
import { readWorkerEntries } from "@/lib/run-registry";
import { backendsJson, findBackendProblems } from "../_lib/backends";
import { appDb } from "../_lib/db";
import { otherMethods } from "../_lib/methods";
import { readQuery } from "../_lib/params";
import { json, route } from "../_lib/respond";
import { pickWorker, recentWorkersJson } from "../_lib/workers";
import {
  describeWaiting,
  findProblems,
  listOtherFileWorkers,
} from "../health/problems";
import { stagePausesJson } from "../stages/stage-route";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

const hourMs = 3600_000;

// One object that others extend with fields of their own (such as whether
// the queue is paused); the browser ignores fields it does not know.
export const GET = route("GET /api/stats", (request) => {
  readQuery(request, {});
  const db = appDb();
  const now = Date.now();
  const counts = countPrompts(db);
  const total = Object.values(counts.byStatus).reduce((a, b) => a + b, 0);
  const workers = recentWorkersJson(db, now);
  const body: StatsJson = {
    total,
    ...counts,
    worker: pickWorker(workers),
    completedLastHour: countFinishedSince(db, new Date(now - hourMs)),
    stageDurations: readStageDurations(db),
    workersAlive: workers.filter((w) => w.alive).length,
    health: readHealth(db, workers, now),
    ...stagePausesJson(db),
  };
  return json(body);
});

/** The same verdict as GET /api/health, without its details. */
function readHealth(db: Db, workers: WorkerJson[], now: number) {
  const facts = readDatabaseFacts(db);
  const { runDir, WORKER_STALE_MS } = getConfig();
  const otherFileWorkers = listOtherFileWorkers(
    readWorkerEntries(runDir, now, WORKER_STALE_MS),
    facts.path,
    workers,
  );
  const reasons = [
    ...findProblems(facts, workers, now, otherFileWorkers),
    ...findBackendProblems(backendsJson(db, getConfig(), now)),
    ...describeWaiting(listWaitingReasons(db)),
  ];
  return { ok: reasons.length === 0, reasons };
}
