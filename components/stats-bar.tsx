"use client";

import { useId, useState } from "react";
import type { StatsJson } from "@/lib/api-types";
import { useStats } from "@/lib/client/stats";
import {
  useStreamState,
  type StreamState,
} from "@/lib/client/use-prompt-events";
import { artifactStatuses, statuses } from "@/lib/prompt-types";
import { formatDuration } from "./format";
import { focusRing } from "./ui/button";
import { StatusDot } from "./ui/status-dot";
import { ThemeToggle } from "./ui/theme-toggle";
import { WorkerStatus } from "./worker-status";

/**
 * Counts, throughput, stage medians, workers and backend health along the
 * bottom of the window, refetched after every burst of prompt events. On a
 * phone it is one summary line that expands to the full counts.
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
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2 text-xs text-stone-600 sm:gap-x-5">
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
        {/* A phone's line keeps the worker, the toggle and any problem;
            "Healthy" and "Live" join them once the bar is expanded. */}
        <span className="ml-auto flex min-w-0 flex-wrap items-center justify-end gap-x-4 gap-y-1">
          {stats.data && <HealthStatus stats={stats.data} />}
          <WorkerStatus stats={stats} />
          <span className="hidden group-data-[expanded=true]:flex sm:flex">
            <LiveIndicator />
          </span>
          <ThemeToggle />
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
      <Pace stats={stats} />
    </>
  );
}

/** Throughput and how long each stage takes, from recent runs. */
function Pace({ stats }: { stats: StatsJson }) {
  const median = (ms: number | null | undefined) =>
    ms === null || ms === undefined ? "–" : formatDuration(ms);
  return (
    <dl className="flex flex-wrap gap-x-3" aria-label="Pace">
      <Count
        label="done last hour"
        value={stats.completedLastHour ?? 0}
        testId="stat-completed-last-hour"
      />
      <Count
        label="median writing"
        value={median(stats.stageDurations?.write.medianMs)}
        testId="stat-median-write"
      />
      <Count
        label="median render"
        value={median(stats.stageDurations?.render.medianMs)}
        testId="stat-median-render"
      />
      <Count
        label="workers alive"
        value={stats.workersAlive ?? 0}
        testId="stat-workers-alive"
      />
    </dl>
  );
}

/** Backends and deployment: healthy, or how many problems (named on hover). */
function HealthStatus({ stats }: { stats: StatsJson }) {
  const reasons = stats.health?.reasons ?? [];
  const isOk = reasons.length === 0;
  return (
    <span
      data-testid="stat-health"
      data-ok={isOk}
      title={reasons.join("\n") || undefined}
      className={`items-center gap-1.5 ${isOk ? "hidden group-data-[expanded=true]:flex sm:flex" : "flex font-medium text-rose-700"}`}
    >
      <StatusDot tone={isOk ? "ok" : "bad"} />
      <span>
        {isOk
          ? "Healthy"
          : `${reasons.length} ${reasons.length === 1 ? "problem" : "problems"}`}
      </span>
    </span>
  );
}

function Count(props: {
  label: string;
  value: number | string;
  testId: string;
}) {
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
