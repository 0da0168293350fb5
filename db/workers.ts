import os from "node:os";
import { desc, eq, gte } from "drizzle-orm";
import type { Db } from "./client";
import { workers, type Worker } from "./schema";

export type WorkerIdentity = {
  id: string;
  version: string;
  dbPath: string;
};

/** Adds (or restarts) a worker's row with a fresh heartbeat. */
export function registerWorker(
  db: Db,
  identity: WorkerIdentity,
  now = new Date(),
): Worker {
  const values = {
    ...identity,
    host: os.hostname(),
    pid: process.pid,
    startedAt: now,
    lastHeartbeatAt: now,
    stoppedAt: null,
    currentPromptId: null,
  };
  return db
    .insert(workers)
    .values(values)
    .onConflictDoUpdate({ target: workers.id, set: values })
    .returning()
    .get();
}

export function recordHeartbeat(
  db: Db,
  workerId: string,
  currentPromptId: number | null,
  now = new Date(),
): void {
  db.update(workers)
    .set({ lastHeartbeatAt: now, currentPromptId })
    .where(eq(workers.id, workerId))
    .run();
}

export function markWorkerStopped(
  db: Db,
  workerId: string,
  now = new Date(),
): void {
  db.update(workers)
    .set({ stoppedAt: now, lastHeartbeatAt: now, currentPromptId: null })
    .where(eq(workers.id, workerId))
    .run();
}

/** Workers, the most recently seen first. */
export function listWorkers(db: Db, limit = 50): Worker[] {
  return db
    .select()
    .from(workers)
    .orderBy(desc(workers.lastHeartbeatAt))
    .limit(limit)
    .all();
}

/**
 * Workers whose last heartbeat is at or after `since`, the most recently
 * seen first; at most `limit` of them.
 */
export function listWorkersSeenSince(
  db: Db,
  since: Date,
  limit = 100,
): Worker[] {
  return db
    .select()
    .from(workers)
    .where(gte(workers.lastHeartbeatAt, since))
    .orderBy(desc(workers.lastHeartbeatAt))
    .limit(limit)
    .all();
}
