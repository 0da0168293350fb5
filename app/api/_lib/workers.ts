import { listWorkers, listWorkersSeenSince } from "@/db/workers";
import type { Db } from "@/db/client";
import type { WorkerJson } from "@/lib/api-types";
import { getConfig } from "@/lib/config";
import { workerJson } from "./serialize";

/** Health lists the workers seen in this window. */
export const workerListWindowMs = 24 * 3600 * 1000;
// LIMIT: restarts register new rows; past this many a day, the oldest hide.
const workerListMax = 100;

/**
 * Workers seen in the last day, the most recent heartbeat first; when none
 * was, the last one ever seen, so that health can say when it went quiet.
 */
export function recentWorkersJson(db: Db, now = Date.now()): WorkerJson[] {
  const staleMs = getConfig().WORKER_STALE_MS;
  const since = new Date(now - workerListWindowMs);
  const seen = listWorkersSeenSince(db, since, workerListMax);
  const rows = seen.length > 0 ? seen : listWorkers(db, 1);
  return rows.map((w) => workerJson(w, staleMs, now));
}

/** The worker to show: a live one if any, else the one seen last. */
export function pickWorker(workers: WorkerJson[]): WorkerJson | null {
  return workers.find((w) => w.alive) ?? workers[0] ?? null;
}
