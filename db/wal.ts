import fs from "node:fs";
import type Database from "better-sqlite3";
import { log } from "../lib/log";
import type { Db } from "./client";

/** After a checkpoint resets it, the -wal file is cut back to this size. */
export const journalSizeLimitBytes = 64 * 1024 * 1024;
/** SQLite's own default, set explicitly so no connection can differ. */
export const walAutocheckpointPages = 1000;
/** Past this, checkpointIfLarge empties the -wal file. */
export const checkpointThresholdBytes = 16 * 1024 * 1024;
export const checkpointIntervalMs = 10_000;
/**
 * How long a checkpoint waits for readers: short, because it blocks this
 * process's event loop, and a busy checkpoint is simply tried again later.
 */
const checkpointBusyTimeoutMs = 100;

/** The pragmas that keep the -wal file bounded; run on every connection. */
export function applyWalLimits(sqlite: Database.Database): void {
  sqlite.pragma(`journal_size_limit = ${journalSizeLimitBytes}`);
  sqlite.pragma(`wal_autocheckpoint = ${walAutocheckpointPages}`);
}

export function walBytesOf(db: Db): number {
  try {
    return fs.statSync(`${db.$client.name}-wal`).size;
  } catch {
    return 0; // no -wal file: nothing written since the last checkpoint
  }
}

type GlobalWithCheckpoints = typeof globalThis & {
  __poetsCheckpoints?: WeakMap<Database.Database, Date>;
};

// On globalThis so that every route bundle of the app sees the same times.
function checkpointTimes(): WeakMap<Database.Database, Date> {
  const store = globalThis as GlobalWithCheckpoints;
  store.__poetsCheckpoints ??= new WeakMap();
  return store.__poetsCheckpoints;
}

/** When this process last completed a checkpoint on this connection. */
export function lastCheckpointAt(db: Db): Date | null {
  return checkpointTimes().get(db.$client) ?? null;
}

export type CheckpointOutcome = {
  mode: "TRUNCATE" | "PASSIVE";
  /** Readers or a writer kept it from checkpointing every frame. */
  busy: boolean;
  walBytesBefore: number;
  walBytesAfter: number;
};

/**
 * Checkpoints and truncates the -wal file when it is over the threshold;
 * if readers keep TRUNCATE from finishing, copies what it can (PASSIVE).
 * Never throws a busy error: the next call tries again. Null when the file
 * was small enough, or a transaction is open on this connection.
 */
export function checkpointIfLarge(
  db: Db,
  options: { thresholdBytes?: number; now?: Date } = {},
): CheckpointOutcome | null {
  const sqlite = db.$client;
  const thresholdBytes = options.thresholdBytes ?? checkpointThresholdBytes;
  if (!sqlite.open || sqlite.inTransaction) return null;
  const walBytesBefore = walBytesOf(db);
  if (walBytesBefore <= thresholdBytes) return null;

  let mode: CheckpointOutcome["mode"] = "TRUNCATE";
  let busy = runCheckpoint(sqlite, mode);
  if (busy) {
    mode = "PASSIVE";
    busy = runCheckpoint(sqlite, mode);
  }

  if (!busy) checkpointTimes().set(sqlite, options.now ?? new Date());
  return { mode, busy, walBytesBefore, walBytesAfter: walBytesOf(db) };
}

/** Runs one checkpoint; true when it could not copy every frame. */
function runCheckpoint(
  sqlite: Database.Database,
  mode: CheckpointOutcome["mode"],
): boolean {
  const busyTimeoutMs = Number(sqlite.pragma("busy_timeout", { simple: true }));
  sqlite.pragma(`busy_timeout = ${checkpointBusyTimeoutMs}`);
  try {
    const [row] = sqlite.pragma(`wal_checkpoint(${mode})`) as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    // PASSIVE reports busy 0 even when a reader kept frames from it.
    return row.busy !== 0 || row.checkpointed < row.log;
  } catch (error) {
    if (isBusyError(error)) return true;
    throw error;
  } finally {
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  }
}

function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === "string" &&
    (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
  );
}

/**
 * Calls checkpointIfLarge every intervalMs (the timer does not keep the
 * process alive). Returns the function that stops it; call it before
 * closing the connection.
 */
export function startCheckpointTimer(
  db: Db,
  intervalMs = checkpointIntervalMs,
): () => void {
  const timer = setInterval(() => {
    try {
      const outcome = checkpointIfLarge(db);
      if (outcome) log.info(outcome, "wal checkpoint");
    } catch (error) {
      // A timer has no caller to tell: this is the boundary that logs it.
      log.error({ err: error }, "wal checkpoint failed");
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
