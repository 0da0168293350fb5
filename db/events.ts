import { and, asc, desc, eq, gt, inArray, sql } from "drizzle-orm";
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

export type RenderProgress = {
  promptId: number;
  progress: number | null;
  /** The event that started the render: progress belongs to that version. */
  lastEventId: number;
};

/** Progress of every prompt whose stage 2 is running (a handful). */
export function listRenderProgress(db: Db): RenderProgress[] {
  return db
    .select({
      promptId: prompts.id,
      progress: prompts.progress,
      lastEventId: prompts.lastEventId,
    })
    .from(prompts)
    .where(eq(prompts.artifactStatus, "processing"))
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

/** The transitions that take a running stage's lease away. */
const leaseTakers = ["cancelled", "requeued", "lease expired"];

/**
 * Why a running stage lost its lease: the reason of the prompt's latest
 * transition that takes leases, or null when there is none.
 */
export function whyLeaseWasTaken(db: Db, promptId: number): string | null {
  const row = db
    .select({ reason: promptEvents.reason })
    .from(promptEvents)
    .where(
      and(
        eq(promptEvents.promptId, promptId),
        inArray(promptEvents.reason, leaseTakers),
      ),
    )
    .orderBy(desc(promptEvents.id))
    .limit(1)
    .get();
  return row?.reason ?? null;
}
