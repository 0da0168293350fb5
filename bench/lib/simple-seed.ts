import type { Db } from "@/db/client";

// Stand-in until the fast seeder (bench/seed.ts) is merged: same signature,
// so that swapping the import in bench/lib/context.ts is the whole change.
// It writes plain SQL in one transaction; every prompt gets its "submitted"
// event and, for the finished ones, the event that set their state, so that
// the status guard trigger accepts them.

/** State mix of a seeded queue: mostly finished, some waiting and failed. */
const states = [
  { share: 60, status: "completed", artifact: null, type: "poem" },
  { share: 15, status: "completed", artifact: "ready", type: "image_prompt" },
  { share: 10, status: "failed", artifact: null, type: "story" },
  { share: 5, status: "completed", artifact: "failed", type: "lyrics_prompt" },
  { share: 5, status: "cancelled", artifact: null, type: "haiku" },
  { share: 5, status: "unprocessed", artifact: null, type: "poem" },
] as const;

/**
 * Adds `count` prompts in the state mix above, spread over the past days.
 * With `finishedOnly`, none is left unprocessed (a worker finds no work).
 */
export function seedPrompts(
  db: Db,
  options: { count: number; finishedOnly?: boolean },
): void {
  const sqlite = db.$client;
  const now = Date.now();
  const list = options.finishedOnly
    ? states.filter((s) => s.status !== "unprocessed")
    : states;
  const total = list.reduce((sum, s) => sum + s.share, 0);
  sqlite.transaction(() => {
    let offset = 0;
    for (const state of list) {
      const count = Math.round((options.count * state.share) / total);
      insertInState(sqlite, state, offset, count, now);
      offset += count;
    }
  })();
}

function insertInState(
  sqlite: Db["$client"],
  state: (typeof states)[number],
  offset: number,
  count: number,
  now: number,
) {
  if (count === 0) return;
  const first =
    (
      sqlite
        .prepare("SELECT coalesce(max(id), 0) AS id FROM prompts")
        .get() as { id: number }
    ).id + 1;
  sqlite
    .prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
       INSERT INTO prompts (type, text, priority, seed, created_at, updated_at)
       SELECT ?, 'a seeded prompt number ' || (? + i), 0, i, ? - (? - i) * 60, ? - (? - i) * 60 FROM n`,
    )
    .run(count, state.type, offset, now, count, now, count);
  sqlite
    .prepare(
      `INSERT INTO prompt_events (prompt_id, to_status, reason, created_at)
       SELECT id, 'unprocessed', 'submitted', created_at FROM prompts WHERE id >= ?`,
    )
    .run(first);
  if (state.status !== "unprocessed") {
    sqlite
      .prepare(
        `INSERT INTO prompt_events (prompt_id, from_status, to_status, to_artifact_status, reason, created_at)
         SELECT id, 'unprocessed', ?, ?, 'seeded', created_at FROM prompts WHERE id >= ?`,
      )
      .run(state.status, state.artifact, first);
  }
  sqlite
    .prepare(
      `UPDATE prompts SET status = ?, artifact_status = ?,
         last_event_id = (SELECT max(e.id) FROM prompt_events e WHERE e.prompt_id = prompts.id)
       WHERE id >= ?`,
    )
    .run(state.status, state.artifact, first);
}
