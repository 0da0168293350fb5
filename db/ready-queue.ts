import { and, asc, desc, eq, isNull, lte, or, sql } from "drizzle-orm";
import type { Stage } from "./claims";
import { prompts, type Prompt } from "./schema";
import { prepared } from "./statements";
import type { Writer } from "./transitions";

// The queue's order is priority (highest first), then id (oldest first).
// The queue indexes hold (status or artifact_status, priority, id) in
// ascending order, so one ORDER BY priority DESC, id ASC would sort every
// ready prompt in a temporary B-tree on each claim. Two index walks instead:
// the highest priority with a ready prompt, then that priority's oldest
// prompts; each stops at its LIMIT.

function readyWhere(stage: Stage, allDown: boolean) {
  const now = sql.placeholder("now");
  return and(
    stage === "write"
      ? and(eq(prompts.status, "unprocessed"), isNull(prompts.artifactStatus))
      : and(
          eq(prompts.artifactStatus, "pending"),
          eq(prompts.status, "completed"),
        ),
    or(isNull(prompts.runAfter), lte(prompts.runAfter, now)),
    allDown ? isNull(prompts.waitingReason) : undefined,
  );
}

function priorityWalk(tx: Writer, stage: Stage, allDown: boolean) {
  return tx
    .select({ priority: prompts.priority })
    .from(prompts)
    .where(
      and(
        readyWhere(stage, allDown),
        lte(prompts.priority, sql.placeholder("atMost")),
      ),
    )
    .orderBy(desc(prompts.priority))
    .limit(1);
}

function oldestWalk(tx: Writer, stage: Stage, allDown: boolean) {
  return tx
    .select()
    .from(prompts)
    .where(
      and(
        readyWhere(stage, allDown),
        eq(prompts.priority, sql.placeholder("priority")),
      ),
    )
    .orderBy(asc(prompts.id))
    .limit(sql.placeholder("limit"));
}

const topPriority = (tx: Writer, stage: Stage, allDown: boolean) =>
  prepared(tx, `ready priority ${stage} ${allDown}`, () =>
    priorityWalk(tx, stage, allDown).prepare(),
  );

const oldestAt = (tx: Writer, stage: Stage, allDown: boolean) =>
  prepared(tx, `ready oldest ${stage} ${allDown}`, () =>
    oldestWalk(tx, stage, allDown).prepare(),
  );

/**
 * Up to `limit` prompts ready for a stage, in queue order, read whole (the
 * claim checks and changes them in the same transaction). With allDown
 * (every render server down), only prompts not already waiting.
 */
export function findReady(
  tx: Writer,
  stage: Stage,
  options: { allDown: boolean; now: Date; limit: number },
): Prompt[] {
  const { allDown, limit } = options;
  const now = options.now.getTime();
  const found: Prompt[] = [];
  let atMost = Number.MAX_SAFE_INTEGER;
  while (found.length < limit) {
    const top = topPriority(tx, stage, allDown).get({ now, atMost });
    if (!top) break;
    found.push(
      ...oldestAt(tx, stage, allDown).all({
        now,
        priority: top.priority,
        limit: limit - found.length,
      }),
    );
    atMost = top.priority - 1;
  }
  return found;
}

/** The SQL of both walks, for the query-plan guard in the tests. */
export function readyQueriesOf(tx: Writer, stage: Stage, allDown: boolean) {
  return [
    priorityWalk(tx, stage, allDown).toSQL(),
    oldestWalk(tx, stage, allDown).toSQL(),
  ];
}
