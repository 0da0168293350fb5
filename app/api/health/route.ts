import fs from "node:fs";
import { readDatabaseFacts } from "@/db/health";
import type { HealthJson, WorkerJson } from "@/lib/api-types";
import { appDb } from "../_lib/db";
import { json, route } from "../_lib/respond";
import { latestWorkerJson } from "../_lib/workers";
import { eventHub } from "../events/hub";

export const dynamic = "force-dynamic";

export const GET = route("GET /api/health", () => {
  const db = appDb();
  const facts = readDatabaseFacts(db);
  const worker = latestWorkerJson(db);
  const reasons = findProblems(facts.path, facts.journalMode, worker);
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
    stream: eventHub.stats(),
  };
  return json(body);
});

function findProblems(
  dbPath: string,
  journalMode: string,
  worker: WorkerJson | null,
): string[] {
  const reasons: string[] = [];
  if (journalMode !== "wal") {
    reasons.push(`the database is in ${journalMode} mode, not WAL`);
  }
  if (!worker) {
    reasons.push(
      `no worker has registered in ${dbPath}; start one with ` +
        "`npm run worker` and check that its DATABASE_PATH is this file",
    );
    return reasons;
  }
  if (!sameFile(worker.dbPath, dbPath)) {
    reasons.push(
      `the worker uses ${worker.dbPath} but the app uses ${dbPath}; ` +
        "point both at the same DATABASE_PATH",
    );
  }
  if (!worker.alive) {
    reasons.push(
      worker.stoppedAt
        ? `the worker ${worker.id} stopped at ${worker.stoppedAt}`
        : `the worker ${worker.id} has not sent a heartbeat since ` +
            worker.lastHeartbeatAt,
    );
  }
  return reasons;
}

function sameFile(a: string, b: string): boolean {
  try {
    const [sa, sb] = [fs.statSync(a), fs.statSync(b)];
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return a === b;
  }
}
