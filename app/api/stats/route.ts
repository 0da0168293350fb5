import type { Db } from "@/db/client";
import { countPrompts } from "@/db/prompts";
import { countFinishedSince, readStageDurations } from "@/db/stats";
import type { StatsJson, WorkerJson } from "@/lib/api-types";
import { appDb } from "../_lib/db";
import { assessHealth } from "../_lib/health";
import { otherMethods } from "../_lib/methods";
import { readQuery } from "../_lib/params";
import { json, route } from "../_lib/respond";
import { pickWorker, recentWorkersJson } from "../_lib/workers";
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
    health: healthVerdict(db, workers, now),
    ...stagePausesJson(db),
  };
  return json(body);
});

function healthVerdict(db: Db, workers: WorkerJson[], now: number) {
  const { reasons } = assessHealth(db, workers, now);
  return { ok: reasons.length === 0, reasons };
}
