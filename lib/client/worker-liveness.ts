import type { WorkerJson } from "@/lib/api-types";

// The server calls a worker stale after WORKER_STALE_MS, 30 s by default; the
// browser cannot read that setting, so it assumes the default.
// LIMIT: ages use this browser's clock; a skewed clock shifts them.
export const workerStaleMs = 30_000;
/** Past this, a silent worker reads as lost rather than late. */
export const workerLostMs = 120_000;

export type WorkerLiveness =
  | { state: "none" }
  | { state: "alive" | "late" | "lost" | "stopped" | "gone"; ageMs: number };

type Heartbeat = Pick<WorkerJson, "lastHeartbeatAt"> & {
  stoppedAt?: string | null;
  processGone?: boolean;
};

/**
 * Judges a worker by how long ago it last beat, now rather than when the
 * server answered, so a page left open stops claiming a dead worker is alive.
 * A worker whose process the server found gone is dead however recent its
 * last beat.
 */
export function workerLivenessOf(
  worker: Heartbeat | null,
  nowMs: number,
): WorkerLiveness {
  if (!worker) return { state: "none" };
  const ageMs = Math.max(0, nowMs - Date.parse(worker.lastHeartbeatAt));
  if (worker.stoppedAt) return { state: "stopped", ageMs };
  if (worker.processGone) return { state: "gone", ageMs };
  if (ageMs <= workerStaleMs) return { state: "alive", ageMs };
  return { state: ageMs <= workerLostMs ? "late" : "lost", ageMs };
}
