import type Database from "better-sqlite3";

/**
 * A quick raw-SQL seeder for the queue measure: finished poems (each with
 * its writing and three events, and in the search index) and queued ones.
 * Rows go in by set-based INSERT … SELECT, not through db/, so a million
 * take seconds; the rows are the ones the product would have written.
 */

/** Triggers that would refuse or slow a bulk insert of finished prompts. */
const bulkTriggers = [
  "prompts_insert_starts_unprocessed",
  "prompt_search_prompt_insert",
  "prompt_search_writing_insert",
];

const numbers = (count: number) => `
  WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${count})`;

/**
 * Adds `count` completed poems to an empty, migrated database. The three
 * triggers that check single inserts are set aside and put back in the
 * same transaction; the search index is filled in one statement.
 */
export function seedFinishedPrompts(sqlite: Database.Database, count: number) {
  if (count === 0) return;
  const now = Date.now() - 86_400_000;
  sqlite.transaction(() => {
    const triggers = sqlite
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'trigger'
         AND name IN (${bulkTriggers.map(() => "?").join(", ")})`,
      )
      .all(...bulkTriggers) as { name: string; sql: string }[];
    for (const { name } of triggers) sqlite.exec(`DROP TRIGGER ${name}`);

    sqlite.exec(`${numbers(count)}
      INSERT INTO prompts (id, type, text, priority, status, output_reference,
        attempts, seed, last_event_id, created_at, updated_at)
      SELECT x, 'poem', 'a poem about rain on a tin roof, number ' || x, 0,
        'completed', x, 0, x, 3 * x, ${now} + x, ${now} + x FROM n`);
    sqlite.exec(`${numbers(count)}
      INSERT INTO writings (id, prompt_id, format, content, backend, created_at)
      SELECT x, x, 'text', 'rain on the roof, line ' || x, 'bench', ${now} + x
      FROM n`);
    sqlite.exec(`${numbers(count * 3)}
      INSERT INTO prompt_events (id, prompt_id, from_status, to_status,
        reason, created_at)
      SELECT x, (x + 2) / 3,
        CASE x % 3 WHEN 1 THEN NULL WHEN 2 THEN 'unprocessed'
          ELSE 'processing' END,
        CASE x % 3 WHEN 1 THEN 'unprocessed' WHEN 2 THEN 'processing'
          ELSE 'completed' END,
        CASE x % 3 WHEN 1 THEN 'submitted' WHEN 2 THEN 'writing started'
          ELSE 'writing finished' END,
        ${now} + x / 3 FROM n`);
    sqlite.exec(`
      INSERT INTO prompt_search (rowid, text, writing)
      SELECT p.id, p.text, w.content FROM prompts p
      JOIN writings w ON w.id = p.output_reference`);

    for (const { sql } of triggers) sqlite.exec(sql);
  })();
}

/** Queues `count` more poems, each with its "submitted" event. */
export function seedQueuedPrompts(sqlite: Database.Database, count: number) {
  const now = Date.now();
  sqlite.transaction(() => {
    const { first } = sqlite
      .prepare("SELECT coalesce(max(id), 0) + 1 AS first FROM prompts")
      .get() as { first: number };
    sqlite.exec(`${numbers(count)}
      INSERT INTO prompts (id, type, text, priority, status, attempts, seed,
        created_at, updated_at)
      SELECT ${first - 1} + x, 'poem', 'a poem about a queue, number ' || x,
        0, 'unprocessed', 0, x, ${now}, ${now} FROM n`);
    sqlite.exec(`
      INSERT INTO prompt_events (prompt_id, to_status, reason, created_at)
      SELECT id, 'unprocessed', 'submitted', ${now} FROM prompts
      WHERE id >= ${first} ORDER BY id`);
    sqlite.exec(`
      UPDATE prompts SET last_event_id = (
        SELECT max(e.id) FROM prompt_events e WHERE e.prompt_id = prompts.id)
      WHERE id >= ${first}`);
  })();
}
