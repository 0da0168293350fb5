import fs from "node:fs";
import type { WaitingGroup } from "@/db/health";
import type { WorkerJson } from "@/lib/api-types";
import type { WorkerEntry } from "@/lib/run-registry";

/** Readable reasons why the deployment is not healthy; empty when it is. */
export function findProblems(
  db: { path: string; journalMode: string },
  workers: WorkerJson[],
  now = Date.now(),
  otherFileWorkers: WorkerEntry[] = [],
): string[] {
  const reasons: string[] = [];
  if (db.journalMode !== "wal") {
    reasons.push(`the database is in ${db.journalMode} mode, not WAL`);
  }
  const alive = workers.filter((w) => w.alive);
  if (alive.length === 0 && otherFileWorkers.length > 0) {
    reasons.push(describeElsewhere(otherFileWorkers, db.path));
  } else if (workers.length === 0) {
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
  for (const entry of otherFileWorkers) {
    reasons.push(
      `worker ${entry.workerId} (pid ${entry.pid}) is using another ` +
        `database file: ${entry.dbPath}; this app uses ${db.path}`,
    );
  }
  return reasons;
}

/**
 * One reason per group of prompts a down backend holds back, in the
 * worker's own words: the app need not reach the backend to report it.
 * Writing counts the prompts queued behind the one that tried too: the
 * worker holds them back until the model server answers.
 */
export function describeWaiting(groups: WaitingGroup[]): string[] {
  return groups.map(({ reason, count, since, queued }) => {
    const total = count + queued;
    const prompts = total === 1 ? "1 prompt waits" : `${total} prompts wait`;
    const when = since ? ` since ${since.toISOString()}` : "";
    const tried = count === 1 ? "1 tried it" : `${count} tried it`;
    const behind = queued > 0 ? ` (${tried}, ${queued} queued behind)` : "";
    return `${prompts} for a backend${when}${behind}: ${reason}`;
  });
}

/**
 * The run entries of live workers whose database is not the app's file,
 * leaving out those already seen alive in it (their row says the same).
 */
export function listOtherFileWorkers(
  entries: WorkerEntry[],
  dbPath: string,
  workers: WorkerJson[],
): WorkerEntry[] {
  const seen = new Set(workers.filter((w) => w.alive).map((w) => w.id));
  return entries.filter(
    (e) => !seen.has(e.workerId) && !isSameFile(e.dbPath, dbPath),
  );
}

function describeElsewhere(entries: WorkerEntry[], dbPath: string) {
  const names = entries.map((e) => `${e.workerId} (pid ${e.pid})`);
  const which = entries.length === 1 ? "a worker runs" : "workers run";
  return (
    `no worker is running against ${dbPath}, but ${which} against ` +
    `another database file: ${names.join(", ")}; give it the same ` +
    "DATABASE_PATH as the app"
  );
}

function describeSilence(last: WorkerJson, dbPath: string, now: number) {
  if (last.stoppedAt) {
    return (
      `no worker is running: the last one (${last.id}) stopped ` +
      `${ago(last.stoppedAt, now)}; start one with \`npm run worker\``
    );
  }
  if (last.processGone) {
    return (
      `no worker is running: the last one (${last.id}, pid ${last.pid} on ` +
      `${last.host}) is gone without stopping (process gone: it crashed or ` +
      "was killed); start one with `npm run worker`"
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
    return realpathOrSelf(a) === realpathOrSelf(b);
  }
}

function realpathOrSelf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}
