import { desc, isNotNull, sql } from "drizzle-orm";
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

export type WaitingGroup = { reason: string; count: number };

/**
 * Prompts held back by a backend that is down, by reason, the largest
 * groups first. Reads the partial index prompts_waiting only.
 */
export function listWaitingReasons(db: Db, limit = 5): WaitingGroup[] {
  return db
    .select({ reason: prompts.waitingReason, count: sql<number>`count(*)` })
    .from(prompts)
    .where(isNotNull(prompts.waitingReason))
    .groupBy(prompts.waitingReason)
    .orderBy(desc(sql`count(*)`))
    .limit(limit)
    .all() as WaitingGroup[];
}
