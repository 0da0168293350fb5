import os from "node:os";
import type { Db } from "@/db/client";
import type { Worker } from "@/db/schema";
import { listWorkers, listWorkersSeenSince } from "@/db/workers";
import type { WorkerJson } from "@/lib/api-types";
import { getConfig } from "@/lib/config";
import { isPidAlive } from "@/lib/run-registry";
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
  return rows.map((w) => workerJson(w, staleMs, now, isProcessGone(w)));
}

/**
 * Whether a worker that never said it stopped has no process any more: on
 * this host its pid answers at once, so a killed worker is dead now rather
 * than after WORKER_STALE_MS. On another host only the heartbeat tells.
 * LIMIT: two containers that share a hostname but not a pid namespace would
 * make each other's live workers look gone; give each its own hostname
 * (Docker's default) or run the worker in the app's pid namespace.
 */
function isProcessGone(worker: Worker): boolean {
  if (worker.stoppedAt !== null || worker.host !== os.hostname()) return false;
  return !isPidAlive(worker.pid);
}

/** The worker to show: a live one if any, else the one seen last. */
export function pickWorker(workers: WorkerJson[]): WorkerJson | null {
  return workers.find((w) => w.alive) ?? workers[0] ?? null;
}
