import type { ArtifactStatus, PromptType, Status } from "../lib/prompt-types";
import type { Db } from "./client";

export type StageName = "write" | "render";

/**
 * How many of the latest finished stages a median is taken over: the size of
 * the stage_runs ring that migration 0010's trigger fills (500 there too).
 */
export const stageSampleSize = 500;

/** Median and sample size of one stage's durations; null median when none. */
export type StageDuration = { medianMs: number | null; samples: number };

export type PromptCounts = {
  byStatus: Partial<Record<Status, number>>;
  byArtifactStatus: Partial<Record<ArtifactStatus, number>>;
  byType: Partial<Record<PromptType, number>>;
};

const minuteMs = 60_000;

// Every figure comes from the small tables that migration 0010's triggers
// keep in the transaction of each change (stats_counts, finished_minutes,
// stage_runs), so each read is a key lookup whatever the number of prompts.
// They are not in db/schema.ts: drizzle-kit cannot declare WITHOUT ROWID.
/** Exported for the query-plan test. */
export const statsQueries = {
  promptCounts: `
    SELECT dimension, value, count FROM stats_counts
    WHERE dimension IN ('status', 'artifact_status', 'type') AND count <> 0`,
  finishedSince: `
    SELECT coalesce(sum(count), 0) AS count FROM finished_minutes
    WHERE minute >= ?`,
  stageDurations: `
    SELECT json_group_array(duration_ms) FROM stage_runs
    WHERE stage = ? AND duration_ms IS NOT NULL`,
  stageRuns: `SELECT event_id, duration_ms FROM stage_runs WHERE stage = ?`,
};

const dimensionKeys: Record<string, keyof PromptCounts> = {
  status: "byStatus",
  artifact_status: "byArtifactStatus",
  type: "byType",
};

/** Prompts by status, by artifact status and by type, from one statement. */
export function readPromptCounts(db: Db): PromptCounts {
  const rows = db.$client.prepare(statsQueries.promptCounts).all() as {
    dimension: string;
    value: string;
    count: number;
  }[];
  const counts: PromptCounts = {
    byStatus: {},
    byArtifactStatus: {},
    byType: {},
  };
  for (const row of rows) {
    const byValue: Record<string, number> =
      counts[dimensionKeys[row.dimension]];
    byValue[row.value] = row.count;
  }
  return counts;
}

/**
 * The median duration of each stage over its latest `limit` (at most
 * `stageSampleSize`) successful runs: from "writing started" or "rendering
 * started" to the event that completed the stage.
 */
export function readStageDurations(
  db: Db,
  limit = stageSampleSize,
): Record<StageName, StageDuration> {
  const durationsOf = (stage: StageName) =>
    limit >= stageSampleSize
      ? readRingDurations(db, stage)
      : readLatestDurations(db, stage, limit);
  return {
    write: summarise(durationsOf("write")),
    render: summarise(durationsOf("render")),
  };
}

// The whole ring as one JSON array: turning 500 rows into 500 JavaScript
// values costs several times the lookup itself.
function readRingDurations(db: Db, stage: StageName): number[] {
  const json = db.$client
    .prepare(statsQueries.stageDurations)
    .pluck()
    .get(stage) as string;
  return JSON.parse(json);
}

function readLatestDurations(db: Db, stage: StageName, limit: number) {
  const runs = db.$client.prepare(statsQueries.stageRuns).raw().all(stage) as [
    number,
    number | null,
  ][];
  return runs
    .sort((a, b) => b[0] - a[0])
    .slice(0, limit)
    .map((run) => run[1])
    .filter((ms): ms is number => ms !== null);
}

function summarise(durations: number[]): StageDuration {
  return { medianMs: medianOf(durations), samples: durations.length };
}

export function medianOf(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

/**
 * How many prompts finished (text written, or media ready) from the start of
 * the minute that holds `since`: the counts are kept per minute of the
 * finishing event's time, for a day, so the window may start up to a minute
 * early and reaches back at most a day.
 */
export function countFinishedSince(db: Db, since: Date): number {
  const fromMinute = Math.floor(since.getTime() / minuteMs);
  const row = db.$client
    .prepare(statsQueries.finishedSince)
    .get(fromMinute) as { count: number };
  return row.count;
}
