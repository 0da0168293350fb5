import { listWorkers } from "@/db/workers";
import type { Db } from "@/db/client";
import type { WorkerJson } from "@/lib/api-types";
import { getConfig } from "@/lib/config";
import { workerJson } from "./serialize";

/** Workers seen recently, the most recent heartbeat first. */
export function recentWorkersJson(db: Db, now = Date.now()): WorkerJson[] {
  const staleMs = getConfig().WORKER_STALE_MS;
  return listWorkers(db, 20).map((w) => workerJson(w, staleMs, now));
}

/** The worker to show: a live one if any, else the one seen last. */
export function pickWorker(workers: WorkerJson[]): WorkerJson | null {
  return workers.find((w) => w.alive) ?? workers[0] ?? null;
}
