"use client";

import { useId, useState } from "react";
import type { StatsJson } from "@/lib/api-types";
import { useStats } from "@/lib/client/stats";
import {
  useStreamState,
  type StreamState,
} from "@/lib/client/use-prompt-events";
import { artifactStatuses, statuses } from "@/lib/prompt-types";
import { focusRing } from "./ui/button";
import { StatusDot } from "./ui/status-dot";
import { WorkerStatus } from "./worker-status";

/**
 * Counts and worker liveness along the bottom of the window. On a phone it
 * is one summary line that expands to the full counts.
 */
export function StatsBar() {
  const stats = useStats();
  const [isExpanded, setExpanded] = useState(false);
  const countsId = useId();
  return (
    <footer
      aria-label="Queue statistics"
      data-testid="stats-bar"
      data-expanded={isExpanded}
      className="group sticky bottom-0 z-30 border-t border-stone-200 bg-white"
    >
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-5 gap-y-1 px-4 py-2 text-xs text-stone-600">
        <button
          type="button"
          aria-expanded={isExpanded}
          aria-controls={countsId}
          onClick={() => setExpanded(!isExpanded)}
          className={`flex items-center gap-1 rounded py-1 sm:hidden ${focusRing}`}
        >
          <Summary stats={stats} />
          <span aria-hidden="true">{isExpanded ? "▾" : "▴"}</span>
          <span className="sr-only">all counts</span>
        </button>
        <div
          id={countsId}
          className="order-last hidden w-full flex-wrap gap-x-5 gap-y-1 group-data-[expanded=true]:flex sm:order-none sm:flex sm:w-auto"
        >
          {stats.data ? (
            <Counts stats={stats.data} />
          ) : (
            <span>
              {stats.isError ? "Stats unavailable." : "Loading stats…"}
            </span>
          )}
        </div>
        <span className="ml-auto flex items-center gap-4">
          <WorkerStatus stats={stats} />
          <LiveIndicator />
        </span>
      </div>
    </footer>
  );
}

/** The phone's one line: the total and what needs attention. */
function Summary({ stats }: { stats: { data?: StatsJson; isError: boolean } }) {
  if (!stats.data) {
    return (
      <span>{stats.isError ? "Stats unavailable" : "Loading stats…"}</span>
    );
  }
  const { total, byStatus } = stats.data;
  const parts = [
    `${total} ${total === 1 ? "prompt" : "prompts"}`,
    `${byStatus.processing ?? 0} processing`,
  ];
  if (byStatus.failed) parts.push(`${byStatus.failed} failed`);
  return <span className="tabular-nums">{parts.join(" · ")}</span>;
}

function Counts({ stats }: { stats: StatsJson }) {
  return (
    <>
      <dl className="flex flex-wrap gap-x-3" aria-label="Counts by status">
        {statuses.map((status) => (
          <Count
            key={status}
            label={status}
            value={stats.byStatus[status] ?? 0}
            testId={`stat-status-${status}`}
          />
        ))}
      </dl>
      <div className="flex flex-wrap gap-x-3">
        <span aria-hidden="true" className="font-medium text-stone-500">
          media
        </span>
        <dl
          className="flex flex-wrap gap-x-3"
          aria-label="Counts by media status"
        >
          {artifactStatuses.map((status) => (
            <Count
              key={status}
              label={status}
              value={stats.byArtifactStatus[status] ?? 0}
              testId={`stat-artifact-${status}`}
            />
          ))}
        </dl>
      </div>
    </>
  );
}

function Count(props: { label: string; value: number; testId: string }) {
  return (
    <div className="flex gap-1">
      <dt>{props.label}</dt>
      <dd
        data-testid={props.testId}
        className="font-semibold text-stone-900 tabular-nums"
      >
        {props.value}
      </dd>
    </div>
  );
}

const streamLabels: Record<StreamState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
};

function LiveIndicator() {
  const state = useStreamState();
  return (
    <span
      data-testid="live-status"
      data-state={state}
      className="flex items-center gap-1.5"
      title="Live updates from the server"
    >
      <StatusDot tone={state === "live" ? "ok" : "wait"} />
      {streamLabels[state]}
    </span>
  );
}
