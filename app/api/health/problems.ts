import fs from "node:fs";
import type { WorkerJson } from "@/lib/api-types";

/** Readable reasons why the deployment is not healthy; empty when it is. */
export function findProblems(
  db: { path: string; journalMode: string },
  workers: WorkerJson[],
  now = Date.now(),
): string[] {
  const reasons: string[] = [];
  if (db.journalMode !== "wal") {
    reasons.push(`the database is in ${db.journalMode} mode, not WAL`);
  }
  const alive = workers.filter((w) => w.alive);
  if (workers.length === 0) {
    reasons.push(
      `no worker has registered in ${db.path}; start one with ` +
        "`npm run worker` and check that its DATABASE_PATH is this file",
    );
  } else if (alive.length === 0) {
    reasons.push(describeSilence(workers[0], db.path, now));
  }
  for (const worker of alive) {
    if (!isSameFile(worker.dbPath, db.path)) {
      reasons.push(
        `worker ${worker.id} uses ${worker.dbPath} but the app uses ` +
          `${db.path}; point both at the same DATABASE_PATH`,
      );
    }
  }
  return reasons;
}

function describeSilence(last: WorkerJson, dbPath: string, now: number) {
  if (last.stoppedAt) {
    return (
      `no worker is running: the last one (${last.id}) stopped ` +
      `${ago(last.stoppedAt, now)}; start one with \`npm run worker\``
    );
  }
  return (
    `the last worker heartbeat was ${ago(last.lastHeartbeatAt, now)} ` +
    `(${last.id} on ${last.host}); the worker may have crashed, or be ` +
    `running against another file than ${dbPath}`
  );
}

function ago(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

function isSameFile(a: string, b: string): boolean {
  try {
    const [sa, sb] = [fs.statSync(a), fs.statSync(b)];
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return a === b;
  }
}
