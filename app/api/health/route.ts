import { listWaitingReasons, readDatabaseFacts } from "@/db/health";
import type { HealthJson } from "@/lib/api-types";
import { getConfig } from "@/lib/config";
import { readWorkerEntries } from "@/lib/run-registry";
import { backendsJson, findBackendProblems } from "../_lib/backends";
import { appDb } from "../_lib/db";
import { otherMethods } from "../_lib/methods";
import { readQuery } from "../_lib/params";
import { json, route } from "../_lib/respond";
import { pickWorker, recentWorkersJson } from "../_lib/workers";
import { eventHub } from "../events/hub";
import {
  describeWaiting,
  findProblems,
  listOtherFileWorkers,
} from "./problems";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

export const GET = route("GET /api/health", (request) => {
  readQuery(request, {});
  const db = appDb();
  const facts = readDatabaseFacts(db);
  const workers = recentWorkersJson(db);
  const { runDir, WORKER_STALE_MS } = getConfig();
  const otherFileWorkers = listOtherFileWorkers(
    readWorkerEntries(runDir, Date.now(), WORKER_STALE_MS),
    facts.path,
    workers,
  );
  const backends = backendsJson(db, getConfig(), Date.now());
  const reasons = [
    ...findProblems(facts, workers, Date.now(), otherFileWorkers),
    ...findBackendProblems(backends),
    ...describeWaiting(listWaitingReasons(db)),
  ];
  const worker = pickWorker(workers);
  const body: HealthJson = {
    ok: reasons.length === 0,
    reasons,
    db: facts,
    worker: worker && {
      id: worker.id,
      lastHeartbeatAt: worker.lastHeartbeatAt,
      dbPath: worker.dbPath,
      alive: worker.alive,
    },
    workers,
    otherFileWorkers,
    backends,
    stream: eventHub.stats(),
  };
  return json(body);
});
