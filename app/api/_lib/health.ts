import type { Db } from "@/db/client";
import { listWaitingReasons, readDatabaseFacts } from "@/db/health";
import type { WorkerJson } from "@/lib/api-types";
import { getConfig } from "@/lib/config";
import { readWorkerEntries } from "@/lib/run-registry";
import {
  describeWaiting,
  findProblems,
  listOtherFileWorkers,
} from "../health/problems";
import { backendsJson, findBackendProblems } from "./backends";

/**
 * What the deployment's health rests on, and the reasons it is not
 * healthy (none when it is): GET /api/health shows it all, GET /api/stats
 * only the verdict.
 */
export function assessHealth(db: Db, workers: WorkerJson[], now: number) {
  const config = getConfig();
  const facts = readDatabaseFacts(db);
  const otherFileWorkers = listOtherFileWorkers(
    readWorkerEntries(config.runDir, now, config.WORKER_STALE_MS),
    facts.path,
    workers,
  );
  const backends = backendsJson(db, config, now);
  const reasons = [
    ...findProblems(facts, workers, now, otherFileWorkers),
    ...findBackendProblems(backends),
    ...describeWaiting(listWaitingReasons(db)),
  ];
  return { facts, otherFileWorkers, backends, reasons };
}
