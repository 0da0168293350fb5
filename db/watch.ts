import fs from "node:fs";
import path from "node:path";
import type { Db } from "./client";

export type CommitWatch = { close(): void };

/**
 * Calls onCommit soon after any process commits to the database. A watch on
 * the folder notices writes to the -wal file within a millisecond or so;
 * a cheap `PRAGMA data_version` check every safetyNetMs catches anything the
 * file-system watch misses (some file systems deliver no events).
 */
export function watchCommits(
  db: Db,
  onCommit: () => void,
  options: { safetyNetMs?: number } = {},
): CommitWatch {
  const dbFile = db.$client.name;
  const walName = `${path.basename(dbFile)}-wal`;
  const readVersion = () =>
    Number(db.$client.pragma("data_version", { simple: true }));
  let version = readVersion();

  let watcher: fs.FSWatcher | null = null;
  try {
    watcher = fs.watch(path.dirname(dbFile), (_event, name) => {
      if (name === walName) onCommit();
    });
    watcher.on("error", () => {
      watcher?.close();
      watcher = null;
    });
  } catch {
    watcher = null; // the safety net below still notices commits
  }

  const timer = setInterval(() => {
    const next = readVersion();
    if (next !== version) {
      version = next;
      onCommit();
    }
  }, options.safetyNetMs ?? 250);
  timer.unref();

  return {
    close() {
      clearInterval(timer);
      watcher?.close();
    },
  };
}
