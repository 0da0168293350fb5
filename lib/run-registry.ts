import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureWritableFolder } from "./folders";

/**
 * What each running worker leaves in RUN_DIR, outside the database, so that
 * the app sees workers that write their heartbeats into another file.
 */
export type WorkerEntry = {
  workerId: string;
  pid: number;
  host: string;
  dbPath: string;
  version: string;
  heartbeatAt: string;
};

const entriesFolder = (runDir: string) => path.join(runDir, "workers");
const entryFile = (runDir: string, workerId: string) =>
  path.join(entriesFolder(runDir), `${encodeURIComponent(workerId)}.json`);

/** Writes (or replaces) a worker's entry; readers never see half a file. */
export function writeWorkerEntry(runDir: string, entry: WorkerEntry): void {
  const folder = ensureWritableFolder(entriesFolder(runDir), "run");
  const target = entryFile(runDir, entry.workerId);
  const temp = path.join(
    folder,
    `.${path.basename(target)}.${randomBytes(4).toString("hex")}.tmp`,
  );
  fs.writeFileSync(temp, `${JSON.stringify(entry)}\n`);
  try {
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

export function removeWorkerEntry(runDir: string, workerId: string): void {
  fs.rmSync(entryFile(runDir, workerId), { force: true });
}

/**
 * Entries of workers that beat within staleMs and, on this host, whose pid
 * still exists. Unreadable files are skipped; an entry whose process is gone
 * from this host is deleted.
 */
export function readWorkerEntries(
  runDir: string,
  now = Date.now(),
  staleMs = 30_000,
): WorkerEntry[] {
  const folder = entriesFolder(runDir);
  let names: string[];
  try {
    names = fs.readdirSync(folder).filter((n) => /^[^.].*\.json$/.test(n));
  } catch {
    return [];
  }

  const fresh: WorkerEntry[] = [];
  for (const name of names) {
    const file = path.join(folder, name);
    const entry = readEntry(file);
    if (!entry) continue;
    if (entry.host === os.hostname() && !isPidAlive(entry.pid)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (now - Date.parse(entry.heartbeatAt) <= staleMs) fresh.push(entry);
  }
  return fresh;
}

function readEntry(file: string): WorkerEntry | null {
  try {
    const value = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    return isWorkerEntry(value) ? value : null;
  } catch {
    return null;
  }
}

function isWorkerEntry(value: unknown): value is WorkerEntry {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.workerId === "string" &&
    Number.isInteger(v.pid) &&
    (v.pid as number) > 0 &&
    typeof v.host === "string" &&
    typeof v.dbPath === "string" &&
    typeof v.version === "string" &&
    typeof v.heartbeatAt === "string" &&
    !Number.isNaN(Date.parse(v.heartbeatAt))
  );
}

function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
