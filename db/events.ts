import { asc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "./client";
import { promptEvents, prompts } from "./schema";

/** One transition as the event stream sends it. */
export type StreamEvent = {
  id: number;
  promptId: number;
  type: string;
  status: string;
  artifactStatus: string | null;
  fromStatus: string | null;
  fromArtifactStatus: string | null;
  reason: string;
  updatedAt: Date;
};

/** Events after an id, oldest first, with the state each one set. */
export function listEventsAfter(
  db: Db,
  afterId: number,
  limit = 500,
): StreamEvent[] {
  return db
    .select({
      id: promptEvents.id,
      promptId: promptEvents.promptId,
      type: prompts.type,
      status: promptEvents.toStatus,
      artifactStatus: promptEvents.toArtifactStatus,
      fromStatus: promptEvents.fromStatus,
      fromArtifactStatus: promptEvents.fromArtifactStatus,
      reason: promptEvents.reason,
      updatedAt: promptEvents.createdAt,
    })
    .from(promptEvents)
    .innerJoin(prompts, eq(prompts.id, promptEvents.promptId))
    .where(gt(promptEvents.id, afterId))
    .orderBy(asc(promptEvents.id))
    .limit(limit)
    .all();
}

/** The newest event id, 0 when there is none. */
export function latestEventId(db: Db): number {
  const row = db
    .select({ id: sql<number | null>`max(${promptEvents.id})` })
    .from(promptEvents)
    .get();
  return row?.id ?? 0;
}
