import type { Db } from "@/db/client";

type Query = { toSQL(): { sql: string; params: unknown[] } };

/** The lines of EXPLAIN QUERY PLAN for a drizzle query, as SQLite words them. */
export function queryPlanOf(db: Db, query: Query): string[] {
  const { sql, params } = query.toSQL();
  const rows = db.$client
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...params) as { detail: string }[];
  return rows.map((row) => row.detail);
}

/**
 * What is wrong with a plan that should read `table` a page at a time: a
 * scan of the table, or a sort in a temporary B-tree. Empty when it is
 * right (the table searched by an index or its key).
 */
export function planProblems(plan: readonly string[], table = "prompts") {
  const problems: string[] = [];
  const text = plan.join("\n");
  if (new RegExp(`\\bSCAN ${table}\\b(?! VIRTUAL)`).test(text)) {
    problems.push(`scans ${table}`);
  }
  if (/TEMP B-TREE/.test(text)) problems.push("sorts in a temporary B-tree");
  if (!new RegExp(`SEARCH ${table} USING`).test(text)) {
    problems.push(`does not search ${table} by an index`);
  }
  return problems;
}
