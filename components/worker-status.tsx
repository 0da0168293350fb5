"use client";

import type { StatsJson } from "@/lib/api-types";
import { useNow } from "@/lib/client/use-now";
import { workerLivenessOf } from "@/lib/client/worker-liveness";
import { formatAge, formatElapsed } from "./format";
import { StatusDot, type DotTone } from "./ui/status-dot";

export type WorkerStatusView = {
  state: string;
  tone: DotTone;
  label: string;
  /** For the phone's collapsed stats bar. */
  shortLabel: string;
};

const textTones: Record<DotTone, string> = {
  ok: "",
  wait: "text-amber-800",
  bad: "font-medium text-rose-700",
};

/**
 * What the footer says about the worker. A failed stats request means the
 * last answer is no longer news, so it says so instead of repeating it.
 */
export function workerStatusOf(
  stats: { data?: StatsJson; isError: boolean },
  nowMs: number,
): WorkerStatusView | null {
  if (stats.isError) {
    const label = "Server unreachable";
    return { state: "unreachable", tone: "bad", label, shortLabel: label };
  }
  if (!stats.data) return null;
  const liveness = workerLivenessOf(stats.data.worker, nowMs);
  switch (liveness.state) {
    case "none":
      return {
        state: "none",
        tone: "bad",
        label: "No worker has started",
        shortLabel: "No worker",
      };
    case "stopped":
      return {
        state: "stopped",
        tone: "bad",
        label: `Worker stopped ${formatAge(stats.data.worker!.stoppedAt!, nowMs)}`,
        shortLabel: "Worker stopped",
      };
    case "gone":
      return {
        state: "gone",
        tone: "bad",
        label: `Worker process gone · last heartbeat ${formatAge(stats.data.worker!.lastHeartbeatAt, nowMs)}`,
        shortLabel: "Worker gone",
      };
    case "alive":
      return {
        state: "alive",
        tone: "ok",
        label: `Worker alive · heartbeat ${formatAge(stats.data.worker!.lastHeartbeatAt, nowMs)}`,
        shortLabel: "Worker alive",
      };
    default:
      return {
        state: liveness.state,
        tone: liveness.state === "late" ? "wait" : "bad",
        label: `Worker not seen for ${formatElapsed(liveness.ageMs)}`,
        shortLabel: `Worker not seen ${formatElapsed(liveness.ageMs)}`,
      };
  }
}

/**
 * The worker's liveness, judged again every second so the heartbeat's age
 * counts up between stats polls; short on phones.
 */
export function WorkerStatus(props: {
  stats: { data?: StatsJson; isError: boolean };
}) {
  const nowMs = useNow(1000);
  const view = workerStatusOf(props.stats, nowMs);
  if (!view) return null;
  return (
    <span
      data-testid="worker-status"
      data-state={view.state}
      className={`flex items-center gap-1.5 ${textTones[view.tone]}`}
    >
      <StatusDot tone={view.tone} />
      <span className="sm:hidden">{view.shortLabel}</span>
      <span className="hidden sm:inline">{view.label}</span>
    </span>
  );
}
