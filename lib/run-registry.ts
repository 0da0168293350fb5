import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { ensureWritableFolder } from "./folders";

/**
 * What each running worker leaves in RUN_DIR, outside the database, so that
 * the app sees workers that write their heartbeats into another file.
 */
const workerEntrySchema = z.object({
  workerId: z.string(),
  pid: z.number().int().positive(),
  host: z.string(),
  dbPath: z.string(),
  version: z.string(),
  heartbeatAt: z.string().refine((v) => !Number.isNaN(Date.parse(v))),
});

export type WorkerEntry = z.infer<typeof workerEntrySchema>;

const entriesFolder = (runDir: string) => path.join(runDir, "workers");
const entryFile = (runDir: string, workerId: string) =>
  path.join(entriesFolder(runDir), `${encodeURIComponent(workerId)}.json`);

/** Writes (or replaces) a worker's entry; readers never see half a file. */
export function writeWorkerEntry(runDir: string, entry: WorkerEntry): void {
  const folder = entriesFolder(runDir);
  const target = entryFile(runDir, entry.workerId);
  const temp = path.join(
    folder,
    `.${path.basename(target)}.${randomBytes(4).toString("hex")}.tmp`,
  );
  writeInFolder(folder, temp, `${JSON.stringify(entry)}\n`);
  try {
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** The folder is made on the first write, or again if someone removed it. */
function writeInFolder(folder: string, file: string, text: string) {
  try {
    fs.writeFileSync(file, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    ensureWritableFolder(folder, "run");
    fs.writeFileSync(file, text);
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
    return workerEntrySchema.safeParse(value).data ?? null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists on this host. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
