import type { PromptEventJson } from "@/lib/api-types";

export type StageName = "writing" | "rendering";

/** One event of a prompt's timeline, with the times that explain it. */
export type TimelineRow = {
  event: PromptEventJson;
  /** Since the event before it; null for the first. */
  sincePreviousMs: number | null;
  /** On the event that ended a stage's run: which stage, and how long. */
  stageRun: { stage: StageName; ms: number } | null;
};

const startReasons: Record<string, StageName> = {
  "writing started": "writing",
  "rendering started": "rendering",
};

/**
 * The timeline with durations: each event's distance from the one before,
 * and, on each event that took a prompt out of `processing`, how long that
 * run of the stage lasted (from its "started" event). Events are in id
 * order, as the API sends them.
 */
export function timelineRows(events: PromptEventJson[]): TimelineRow[] {
  let run: { stage: StageName; startedAt: number } | null = null;
  let previousAt: number | null = null;
  return events.map((event) => {
    const at = Date.parse(event.createdAt);
    const sincePreviousMs = previousAt === null ? null : at - previousAt;
    previousAt = at;
    let stageRun: TimelineRow["stageRun"] = null;
    const endsRun =
      run !== null &&
      event.fromStatus === "processing" &&
      event.toStatus !== "processing";
    if (endsRun && run) {
      stageRun = { stage: run.stage, ms: at - run.startedAt };
      run = null;
    }
    const started = startReasons[event.reason];
    if (started) run = { stage: started, startedAt: at };
    return { event, sincePreviousMs, stageRun };
  });
}

/** The total time spent in each stage, over all its runs. */
export function stageTotals(
  rows: TimelineRow[],
): { stage: StageName; ms: number; runs: number }[] {
  const totals = new Map<StageName, { ms: number; runs: number }>();
  for (const { stageRun } of rows) {
    if (!stageRun) continue;
    const total = totals.get(stageRun.stage) ?? { ms: 0, runs: 0 };
    totals.set(stageRun.stage, {
      ms: total.ms + stageRun.ms,
      runs: total.runs + 1,
    });
  }
  return [...totals].map(([stage, total]) => ({ stage, ...total }));
}
