import { and, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { waitStartSql } from "./admin";
import type { Stage } from "./claims";
import type { Db } from "./client";
import { prompts } from "./schema";
import { lastCheckpointAt, walBytesOf } from "./wal";

export type DatabaseFacts = {
  path: string;
  journalMode: string;
  walBytes: number;
  /** The last checkpoint this process completed (ISO), or null. */
  lastCheckpointAt: string | null;
};

/** The facts about the open database that health reports. */
export function readDatabaseFacts(db: Db): DatabaseFacts {
  const sqlite = db.$client;
  const journalMode = String(sqlite.pragma("journal_mode", { simple: true }));
  return {
    path: sqlite.name,
    journalMode,
    walBytes: walBytesOf(db),
    lastCheckpointAt: lastCheckpointAt(db)?.toISOString() ?? null,
  };
}

export type WaitingGroup = {
  reason: string;
  /** The prompts that tried the backend and wait with this reason. */
  count: number;
  stage: Stage;
  /** When the earliest of their current waits began, or null. */
  since: Date | null;
  /**
   * Writing only: the other prompts queued to be written, which the worker
   * holds back while its model server is down (counted once, on the
   * largest group). Zero for rendering: each prompt there tries once.
   */
  queued: number;
};

/**
 * Prompts held back by a backend that is down, by reason, the largest
 * groups first. The waiting prompts come from the partial index
 * prompts_waiting; the queued count, from prompts_stage1_queue.
 */
export function listWaitingReasons(db: Db, limit = 5): WaitingGroup[] {
  const rows = db
    .select({
      reason: prompts.waitingReason,
      status: prompts.status,
      count: sql<number>`count(*)`,
      since: sql<number | null>`min(${waitStartSql})`,
    })
    .from(prompts)
    .where(isNotNull(prompts.waitingReason))
    .groupBy(prompts.waitingReason, prompts.status)
    .orderBy(desc(sql`count(*)`))
    .limit(limit)
    .all();
  let isQueuedCounted = false;
  return rows.map((row) => {
    const stage: Stage = row.status === "unprocessed" ? "write" : "render";
    let queued = 0;
    if (stage === "write" && !isQueuedCounted) {
      isQueuedCounted = true;
      queued = countQueuedToWrite(db);
    }
    return {
      reason: row.reason!,
      count: row.count,
      stage,
      since: row.since === null ? null : new Date(row.since),
      queued,
    };
  });
}

/** Prompts queued to be written that are not waiting themselves. */
function countQueuedToWrite(db: Db): number {
  return db
    .select({ count: sql<number>`count(*)` })
    .from(prompts)
    .where(
      and(eq(prompts.status, "unprocessed"), isNull(prompts.waitingReason)),
    )
    .get()!.count;
}
