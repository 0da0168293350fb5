import type { Db } from "./client";
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
