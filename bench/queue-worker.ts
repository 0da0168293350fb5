/**
 * One worker process of the queue measure: the real worker loop
 * (worker/loop.ts) on DATABASE_PATH with a writer that answers at once, so
 * that what is measured is the queue's own cost. Talks to bench/queue.ts
 * over the IPC channel: "ready" once open, runs on "go", then "done".
 */
import { setMaxListeners } from "node:events";
import os from "node:os";
import pino from "pino";
import { openDatabase } from "../db/client";
import { registerWorker } from "../db/workers";
import { getConfigOrExit } from "../lib/config";
import type { Logger } from "../lib/log";
import { runWorkerLoop } from "../worker/loop";
import type { Writer } from "../worker/write-stage";

export type WorkerReport = {
  startedAt: number;
  endedAt: number;
  claimMs: number[];
  claimed: number;
  busyErrors: number;
  errors: number;
};

/** Zero latency: the bench measures the queue, not a model. */
const instantWriter: Writer = {
  backend: "bench",
  writeText: async (input) => `${input.text}\nwritten at once`,
  writeSpec: async () => ({}),
};

/** The loop's log lines are counted, not printed: busy errors must be 0. */
function countingLogger(counts: { busyErrors: number; errors: number }) {
  return pino(
    { level: "info" },
    {
      write(line: string) {
        if (line.includes("SQLITE_BUSY")) counts.busyErrors++;
        if (/"level":(50|60)/.test(line)) counts.errors++;
      },
    },
  ) as unknown as Logger;
}

async function main() {
  const config = getConfigOrExit();
  const db = openDatabase(config.databasePath);
  // Checkpoints off, so that the -wal file's growth is what was written.
  db.$client.pragma("wal_autocheckpoint = 0");
  const workerId = `bench-${os.hostname()}-${process.pid}`;
  registerWorker(db, { id: workerId, version: "bench", dbPath: "" });
  const counts = { busyErrors: 0, errors: 0 };
  const claimMs: number[] = [];
  let claimed = 0;

  await new Promise<void>((resolve) => {
    process.once("message", () => resolve());
    process.send!({ ready: true });
  });
  const startedAt = Date.now();
  const stop = new AbortController();
  // Every stage in flight listens to it (64 with the bench's concurrency).
  setMaxListeners(256, stop.signal);
  await runWorkerLoop({
    db,
    config,
    workerId,
    log: countingLogger(counts),
    once: true,
    stopSignal: stop.signal,
    writer: instantWriter,
    onClaim: (durationMs, count) => {
      if (count === 0) return;
      claimMs.push(durationMs);
      claimed += count;
    },
  });
  const report: WorkerReport = {
    startedAt,
    endedAt: Date.now(),
    claimMs,
    claimed,
    ...counts,
  };
  db.$client.close();
  process.send!(report, () => process.exit(0));
}

void main();
