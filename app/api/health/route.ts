import type { HealthJson } from "@/lib/api-types";
import { appDb } from "../_lib/db";
import { assessHealth } from "../_lib/health";
import { otherMethods } from "../_lib/methods";
import { readQuery } from "../_lib/params";
import { json, route } from "../_lib/respond";
import { pickWorker, recentWorkersJson } from "../_lib/workers";
import { eventHub } from "../events/hub";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

export const GET = route("GET /api/health", (request) => {
  readQuery(request, {});
  const db = appDb();
  const now = Date.now();
  const workers = recentWorkersJson(db, now);
  const { facts, otherFileWorkers, backends, reasons } = assessHealth(
    db,
    workers,
    now,
  );
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
      processGone: worker.processGone,
    },
    workers,
    otherFileWorkers,
    backends,
    stream: eventHub.stats(),
  };
  return json(body);
});
