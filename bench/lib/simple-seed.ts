import type { Db } from "@/db/client";

// Stand-in until the fast seeder (bench/seed.ts) is merged: same signature,
// so that swapping the import in bench/lib/context.ts is the whole change.
// Plain SQL in one transaction: each prompt gets the events of its path
// (submitted, writing started, and how it ended), appended in time order,
// so that the status guard trigger accepts the rows and the stats read a
// realistic history.

/** One prompt in twenty is each of these, by id; the rest are poems. */
const mixSql = `CASE p.id % 20
    WHEN 0 THEN 'unprocessed/-/poem'
    WHEN 1 THEN 'cancelled/-/haiku'
    WHEN 2 THEN 'failed/-/story' WHEN 3 THEN 'failed/-/story'
    WHEN 4 THEN 'failed/failed/lyrics_prompt'
    WHEN 5 THEN 'completed/ready/image_prompt'
    WHEN 6 THEN 'completed/ready/image_prompt'
    WHEN 7 THEN 'completed/ready/image_prompt'
    ELSE 'completed/-/poem' END`;

/** Prompts arrive this far apart: a million span about a month. */
const spacingMs = 2_600;

/**
 * Adds `count` prompts in the mix above, the newest submitted now. With
 * `finishedOnly`, none is left unprocessed (a worker finds no work).
 */
export function seedPrompts(
  db: Db,
  options: { count: number; finishedOnly?: boolean },
): void {
  const sqlite = db.$client;
  const now = Date.now();
  const mix = options.finishedOnly
    ? mixSql.replace("'unprocessed/-/poem'", "'completed/-/poem'")
    : mixSql;
  sqlite.transaction(() => {
    const first = (
      sqlite
        .prepare("SELECT coalesce(max(id), 0) + 1 AS id FROM prompts")
        .get() as { id: number }
    ).id;
    sqlite
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
         INSERT INTO prompts (id, type, text, priority, seed, created_at, updated_at)
         SELECT ? + i, 'poem', 'a seeded prompt number ' || (? + i), 0, i,
           ? - (? - i) * ${spacingMs}, ? - (? - i) * ${spacingMs} FROM n`,
      )
      .run(options.count, first, first, now, options.count, now, options.count);
    sqlite.exec(`CREATE TEMP TABLE seed_plan AS
      SELECT p.id, p.created_at, ${mix} AS plan FROM prompts p WHERE p.id >= ${first}`);
    sqlite.exec(`CREATE TEMP TABLE seed_state AS SELECT id, created_at,
        substr(plan, 1, instr(plan, '/') - 1) AS status,
        nullif(substr(plan, instr(plan, '/') + 1, instr(substr(plan, instr(plan, '/') + 1), '/') - 1), '-') AS artifact,
        substr(plan, instr(plan, '/') + 1 + instr(substr(plan, instr(plan, '/') + 1), '/')) AS type
      FROM seed_plan`);
    sqlite.exec(
      `UPDATE prompts SET type = s.type FROM seed_state s WHERE s.id = prompts.id`,
    );
    sqlite.exec(`INSERT INTO prompt_events
        (prompt_id, from_status, from_artifact_status, to_status,
         to_artifact_status, reason, created_at)
      SELECT prompt_id, from_status, from_artifact, to_status,
        to_artifact_status, reason, at FROM (
        SELECT id AS prompt_id, NULL AS from_status, NULL AS from_artifact,
          'unprocessed' AS to_status, NULL AS to_artifact_status,
          'submitted' AS reason, created_at AS at, 0 AS step
        FROM seed_state
        UNION ALL
        SELECT id, 'unprocessed', NULL, 'processing', NULL, 'writing started',
          created_at + 900, 1
        FROM seed_state WHERE status NOT IN ('unprocessed', 'cancelled')
        UNION ALL
        SELECT id,
          CASE status WHEN 'cancelled' THEN 'unprocessed' ELSE 'processing' END,
          CASE WHEN artifact IS NULL THEN NULL ELSE 'processing' END,
          status, artifact, CASE status WHEN 'cancelled' THEN 'cancelled' ELSE 'seeded' END,
          created_at + 1800, 2
        FROM seed_state WHERE status <> 'unprocessed')
      ORDER BY at, prompt_id, step`);
    sqlite.exec(`UPDATE prompts SET status = s.status, artifact_status = s.artifact,
        last_event_id = (SELECT max(e.id) FROM prompt_events e WHERE e.prompt_id = prompts.id)
      FROM seed_state s WHERE s.id = prompts.id AND s.status <> 'unprocessed'`);
    sqlite.exec(`UPDATE prompts SET last_event_id = (SELECT max(e.id) FROM prompt_events e WHERE e.prompt_id = prompts.id)
      WHERE id >= ${first} AND last_event_id = 0`);
    sqlite.exec("DROP TABLE seed_plan; DROP TABLE seed_state");
  })();
}
