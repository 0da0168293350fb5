import { listWorkers } from "@/db/workers";
import type { Db } from "@/db/client";
import { getConfig } from "@/lib/config";
import { workerJson } from "./serialize";

/** The most recently seen worker of this database, if any. */
export function latestWorkerJson(db: Db) {
  const [latest] = listWorkers(db, 1);
  return latest ? workerJson(latest, getConfig().WORKER_STALE_MS) : null;
}
