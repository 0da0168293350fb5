"use client";

import type { StageName } from "@/lib/api-types";
import { useStagePause, useStagePauses } from "@/lib/client/actions";
import { useStats } from "@/lib/client/stats";
import { formatTime } from "./format";
import { Button } from "./ui/button";
import { StatusDot } from "./ui/status-dot";
import { SignedInOnly } from "./signed-in-only";
import { cardClasses, cardHintClasses, cardTitleClasses } from "./ui/card";

const stageLabels: Record<StageName, { name: string; waiting: string }> = {
  write: { name: "Writing (stage 1)", waiting: "waiting to be written" },
  render: { name: "Rendering (stage 2)", waiting: "waiting to be rendered" },
};

/**
 * Pause and resume each stage. A pause holds back new work only: a prompt
 * already running finishes. The state comes from the stats, which the
 * event stream's `stages` message updates the moment any tab or process
 * pauses or resumes a stage.
 */
export function QueueControl() {
  return (
    <section
      aria-labelledby="queue-control-title"
      data-testid="queue-control"
      className={cardClasses}
    >
      <h2 id="queue-control-title" className={cardTitleClasses}>
        Stages
      </h2>
      <p className={`mt-1 ${cardHintClasses}`}>
        A paused stage starts nothing new; what runs finishes.
      </p>
      <ul className="mt-4 grid gap-3 sm:grid-cols-2">
        <StageRow stage="write" />
        <StageRow stage="render" />
      </ul>
    </section>
  );
}

function StageRow({ stage }: { stage: StageName }) {
  const pauses = useStagePauses();
  const stats = useStats().data;
  const toggle = useStagePause();
  const isPaused = pauses?.paused[stage] ?? false;
  const since = pauses?.pausedSince[stage];
  const waiting =
    stage === "write"
      ? (stats?.byStatus.unprocessed ?? 0)
      : (stats?.byArtifactStatus.pending ?? 0);
  const label = stageLabels[stage];

  return (
    <li
      data-testid={`stage-${stage}`}
      data-paused={isPaused}
      className="flex items-center gap-3 rounded-md border border-stone-200 px-3 py-2"
    >
      <StatusDot tone={isPaused ? "wait" : "ok"} />
      <div className="min-w-0 flex-1 text-sm">
        <p className="font-medium text-stone-800">{label.name}</p>
        <p
          className="text-xs text-stone-600"
          data-testid={`stage-${stage}-state`}
        >
          {pauses === null
            ? "Loading…"
            : isPaused
              ? `Paused${since ? ` since ${formatTime(since)}` : ""}`
              : "Running"}
          {` · ${waiting} ${label.waiting}`}
        </p>
      </div>
      <SignedInOnly what={isPaused ? "resume" : "pause"}>
        <Button
          size="sm"
          variant={isPaused ? "primary" : "secondary"}
          disabled={pauses === null || toggle.isPending}
          aria-label={`${isPaused ? "Resume" : "Pause"} ${label.name.toLowerCase()}`}
          onClick={() => toggle.mutate({ stage, pause: !isPaused })}
        >
          {isPaused ? "Resume" : "Pause"}
        </Button>
      </SignedInOnly>
    </li>
  );
}
