import type { Db } from "./client";

export type StageName = "write" | "render";

/** How many of the latest finished stages a median is taken over. */
export const stageSampleSize = 500;

/** Median and sample size of one stage's durations; null median when none. */
export type StageDuration = { medianMs: number | null; samples: number };

// A stage ends with the first event that leaves `processing`, and the event
// just before it (same prompt, lower id) is the claim that started it: no
// transition happens to a prompt while it is processing except its end. So
// each end finds its start with one step back along prompt_events_prompt,
// and the newest ends come from a backwards walk of the primary key that
// stops after `limit` rows.
const stageDurationsSql = `
  SELECT e.created_at - (
    SELECT s.created_at FROM prompt_events s
    WHERE s.prompt_id = e.prompt_id AND s.id < e.id
    ORDER BY s.id DESC LIMIT 1
  ) AS duration_ms
  FROM prompt_events e
  WHERE e.from_status = 'processing' AND e.to_status = 'completed'
    AND e.from_artifact_status IS ?
  ORDER BY e.id DESC
  LIMIT ?`;

/**
 * The median duration of each stage over its latest `stageSampleSize`
 * successful runs: from "writing started" or "rendering started" to the
 * event that completed the stage.
 */
export function readStageDurations(
  db: Db,
  limit = stageSampleSize,
): Record<StageName, StageDuration> {
  const statement = db.$client.prepare(stageDurationsSql);
  const durationsOf = (fromArtifactStatus: string | null) =>
    (
      statement.all(fromArtifactStatus, limit) as {
        duration_ms: number | null;
      }[]
    )
      .map((row) => row.duration_ms)
      .filter((ms): ms is number => ms !== null);
  return {
    write: summarise(durationsOf(null)),
    render: summarise(durationsOf("processing")),
  };
}

function summarise(durations: number[]): StageDuration {
  return { medianMs: medianOf(durations), samples: durations.length };
}

export function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

/** Exported for the query-plan test. */
export const statsQueries = {
  stageDurations: stageDurationsSql,
  completedSince: `
    SELECT count(*) AS count FROM prompt_events
    WHERE id >= ? AND to_status = 'completed'
      AND (to_artifact_status IS NULL OR to_artifact_status = 'ready')`,
  firstEventAt: `SELECT id, created_at FROM prompt_events WHERE id >= ? ORDER BY id LIMIT 1`,
  // Two subqueries: min and max in one SELECT read the whole index.
  idRange: `SELECT (SELECT min(id) FROM prompt_events) AS low,
    (SELECT max(id) FROM prompt_events) AS high`,
};

/**
 * How many prompts finished (text written, or media ready) since `since`.
 * Events are appended in time order (each carries the time of the write
 * transaction that added it), so the first event of the window is found by
 * a binary search over ids, and only the window's rows are counted.
 */
export function countFinishedSince(db: Db, since: Date): number {
  const sqlite = db.$client;
  const range = sqlite.prepare(statsQueries.idRange).get() as {
    low: number | null;
    high: number | null;
  };
  if (range.low === null || range.high === null) return 0;
  const firstId = firstEventIdAt(db, since.getTime(), range.low, range.high);
  if (firstId === null) return 0;
  const row = sqlite.prepare(statsQueries.completedSince).get(firstId) as {
    count: number;
  };
  return row.count;
}

/** The id of the first event at or after `atMs`, or null when none is. */
function firstEventIdAt(db: Db, atMs: number, low: number, high: number) {
  const probe = db.$client.prepare(statsQueries.firstEventAt);
  const eventFrom = (id: number) =>
    probe.get(id) as { id: number; created_at: number } | undefined;
  let found: number | null = null;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const event = eventFrom(middle);
    if (!event || event.id > high) {
      high = middle - 1;
    } else if (event.created_at >= atMs) {
      found = event.id;
      high = middle - 1;
    } else {
      low = event.id + 1;
    }
  }
  return found;
}
