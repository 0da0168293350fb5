import { and, asc, eq, lt } from "drizzle-orm";
import type { Db } from "./client";
import { renderJobStops, type Prompt } from "./schema";
import type { Writer } from "./transitions";

/** How long a stop waits for its server to answer before it is dropped. */
export const jobStopMaxAgeMs = 24 * 60 * 60_000;

export type JobStop = typeof renderJobStops.$inferSelect;

/**
 * Asks for the prompt's ComfyUI job, if it has one, to be stopped: called
 * in the transaction that stops wanting the job, so no crash between the
 * two can leave it running unseen.
 */
export function requestJobStop(
  tx: Writer,
  prompt: Pick<Prompt, "id" | "renderJobId" | "renderServer">,
  reason: string,
  now: Date,
): void {
  if (!prompt.renderJobId || !prompt.renderServer) return;
  tx.insert(renderJobStops)
    .values({
      server: prompt.renderServer,
      jobId: prompt.renderJobId,
      promptId: prompt.id,
      reason,
      requestedAt: now,
    })
    .onConflictDoNothing()
    .run();
}

/** The stops waiting for one server, oldest first. */
export function listJobStops(db: Db, server: string, limit = 20): JobStop[] {
  return db
    .select()
    .from(renderJobStops)
    .where(eq(renderJobStops.server, server))
    .orderBy(asc(renderJobStops.requestedAt))
    .limit(limit)
    .all();
}

/** Removes a stop once its job is stopped (or was not there). */
export function forgetJobStop(db: Db, stop: Pick<JobStop, "server" | "jobId">) {
  db.delete(renderJobStops)
    .where(
      and(
        eq(renderJobStops.server, stop.server),
        eq(renderJobStops.jobId, stop.jobId),
      ),
    )
    .run();
}

/**
 * Drops stops older than jobStopMaxAgeMs: a server gone that long has
 * restarted or been removed, and its queue with it.
 */
export function forgetStaleJobStops(db: Db, now = new Date()): number {
  return db
    .delete(renderJobStops)
    .where(
      lt(renderJobStops.requestedAt, new Date(now.getTime() - jobStopMaxAgeMs)),
    )
    .run().changes;
}
