import fs from "node:fs";
import type { Db } from "./client";

export type DatabaseFacts = {
  path: string;
  journalMode: string;
  walBytes: number;
};

/** The facts about the open database that health reports. */
export function readDatabaseFacts(db: Db): DatabaseFacts {
  const sqlite = db.$client;
  const journalMode = String(sqlite.pragma("journal_mode", { simple: true }));
  let walBytes = 0;
  try {
    walBytes = fs.statSync(`${sqlite.name}-wal`).size;
  } catch {
    // No -wal file yet: nothing has been written since the last checkpoint.
  }
  return { path: sqlite.name, journalMode, walBytes };
}
