import { randomInt } from "node:crypto";
import { and, asc, desc, eq, lt, type SQL } from "drizzle-orm";
import { AppError } from "../lib/errors";
import type {
  ArtifactStatus,
  NewPromptInput,
  PromptType,
  Status,
} from "../lib/prompt-types";
import { immediate, type Db } from "./client";
import { requestJobStop } from "./render-job-stops";
import { matchesSearch, toMatchQuery } from "./search";
import { readPromptCounts } from "./stats";
import {
  artifacts,
  promptEvents,
  prompts,
  writings,
  type Artifact,
  type Prompt,
  type PromptEvent,
  type Writing,
} from "./schema";
import {
  applyTransition,
  getPromptOrThrow,
  isAllowedTransition,
  stateKey,
  type PromptState,
  type Writer,
} from "./transitions";

/** Adds a prompt, unprocessed, with its "submitted" event. */
export function createPrompt(
  db: Db,
  input: NewPromptInput,
  now = new Date(),
): Prompt {
  return db.transaction((tx) => insertPrompt(tx, input, now), immediate);
}

/**
 * Inserts a prompt and its "submitted" event inside the caller's write
 * transaction; a single prompt and every prompt of a batch go through here.
 */
export function insertPrompt(
  tx: Writer,
  input: NewPromptInput,
  now: Date,
  detail: string | null = null,
): Prompt {
  const row = tx
    .insert(prompts)
    .values({
      type: input.type,
      text: input.text,
      priority: input.priority,
      seed: randomInt(0, 2 ** 32 - 1),
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: prompts.id })
    .get();
  const event = tx
    .insert(promptEvents)
    .values({
      promptId: row.id,
      toStatus: "unprocessed",
      reason: "submitted",
      detail,
      createdAt: now,
    })
    .returning({ id: promptEvents.id })
    .get();
  return tx
    .update(prompts)
    .set({ lastEventId: event.id })
    .where(eq(prompts.id, row.id))
    .returning()
    .get();
}

export function getPrompt(db: Db, promptId: number): Prompt | null {
  return (
    db.select().from(prompts).where(eq(prompts.id, promptId)).get() ?? null
  );
}

export type PromptDetail = {
  prompt: Prompt;
  writing: Writing | null;
  artifacts: Artifact[];
  events: PromptEvent[];
};

/** A prompt with its current writing, its artifacts and its whole timeline. */
export function getPromptDetail(db: Db, promptId: number): PromptDetail | null {
  return db.transaction((tx) => {
    const prompt = tx
      .select()
      .from(prompts)
      .where(eq(prompts.id, promptId))
      .get();
    if (!prompt) return null;
    const writing = prompt.outputReference
      ? (tx
          .select()
          .from(writings)
          .where(eq(writings.id, prompt.outputReference))
          .get() ?? null)
      : null;
    return {
      prompt,
      writing,
      artifacts: writing
        ? tx
            .select()
            .from(artifacts)
            .where(eq(artifacts.writingId, writing.id))
            .orderBy(asc(artifacts.id))
            .all()
        : [],
      events: tx
        .select()
        .from(promptEvents)
        .where(eq(promptEvents.promptId, promptId))
        .orderBy(asc(promptEvents.id))
        .all(),
    };
  });
}

export type PromptFilter = {
  status?: Status;
  artifactStatus?: ArtifactStatus;
  type?: PromptType;
  /** Words to search for in the prompt and its writing. */
  q?: string;
  /** Only prompts with an id below this one (keyset pagination). */
  beforeId?: number;
  limit: number;
};

export type PromptPage = { items: Prompt[]; nextCursor: number | null };

/** Prompts newest first, one page after a keyset cursor. */
export function listPrompts(db: Db, filter: PromptFilter): PromptPage {
  const query = promptPageQuery(db, filter);
  // A search with no word in it can match nothing the index holds.
  if (!query) return { items: [], nextCursor: null };

  const rows = query.all();
  const items = rows.slice(0, filter.limit);
  const hasMore = rows.length > filter.limit;
  return { items, nextCursor: hasMore ? items[items.length - 1].id : null };
}

/**
 * The query for one page of prompts (one row more than the page, to tell
 * whether another follows); null for a search with no word in it. The id
 * is always bounded, so that even the first page reads the newest rows by
 * key, as every later page does. Exported so that tests can read its plan.
 */
export function promptPageQuery(db: Db, filter: PromptFilter) {
  const match = filter.q === undefined ? undefined : toMatchQuery(filter.q);
  if (match === null) return null;
  const conditions: SQL[] = [
    lt(prompts.id, filter.beforeId ?? Number.MAX_SAFE_INTEGER),
  ];
  if (filter.status) conditions.push(eq(prompts.status, filter.status));
  if (filter.artifactStatus) {
    conditions.push(eq(prompts.artifactStatus, filter.artifactStatus));
  }
  if (filter.type) conditions.push(eq(prompts.type, filter.type));
  if (match) conditions.push(matchesSearch(match));

  return db
    .select()
    .from(prompts)
    .where(and(...conditions))
    .orderBy(desc(prompts.id))
    .limit(filter.limit + 1);
}

/** Where a requeue sends a prompt: the start of the stage it was in. */
const requeueTargets: Partial<Record<string, PromptState>> = {
  "processing/-": { status: "unprocessed", artifactStatus: null },
  "failed/-": { status: "unprocessed", artifactStatus: null },
  "processing/processing": { status: "completed", artifactStatus: "pending" },
  "failed/failed": { status: "completed", artifactStatus: "pending" },
};

/**
 * Sends a prompt back to the start of its current stage and drops its lease,
 * so a worker still running it can no longer record a result.
 */
export function requeuePrompt(
  db: Db,
  promptId: number,
  now = new Date(),
): Prompt {
  return db.transaction((tx) => {
    const current = getPromptOrThrow(tx, promptId);
    const target = requeueTargets[stateKey(current)];
    if (!target) {
      throw new AppError(
        "conflict",
        `prompt ${promptId} is ${describeState(current)}; only a prompt ` +
          "that is processing or failed can be requeued",
      );
    }
    // Asked again, stage 2 renders anew: the old job is stopped, not adopted.
    requestJobStop(tx, current, "requeued", now);
    return applyTransition(tx, {
      promptId,
      to: target,
      reason: "requeued",
      detail: current.lastError,
      // A person asking again gives the stage its whole retry budget.
      patch: freshRun,
      now,
    }).prompt;
  }, immediate);
}

/**
 * Cancels a prompt that has not finished: queued, running, or waiting for
 * stage 2. Its lease is dropped, so a worker running it stops at its next
 * heartbeat (and stops the job on ComfyUI) and cannot record a result.
 */
export function cancelPrompt(
  db: Db,
  promptId: number,
  now = new Date(),
): Prompt {
  return db.transaction((tx) => {
    const current = getPromptOrThrow(tx, promptId);
    const cancelled = { status: "cancelled", artifactStatus: null } as const;
    if (!isAllowedTransition(current, cancelled)) {
      throw new AppError(
        "conflict",
        `prompt ${promptId} is ${describeState(current)}; only a prompt ` +
          "that is queued or running can be cancelled",
      );
    }
    requestJobStop(tx, current, "cancelled", now);
    return applyTransition(tx, {
      promptId,
      to: cancelled,
      reason: "cancelled",
      patch: releasedLease({ runAfter: null, waitingReason: null }),
      now,
    }).prompt;
  }, immediate);
}

function describeState(state: PromptState): string {
  if (state.status === "unprocessed") return "already queued";
  if (state.status === "completed" && state.artifactStatus === "pending") {
    return "already queued for rendering";
  }
  if (state.status === "cancelled") return "cancelled";
  return "already finished";
}

export function releasedLease<T extends object>(extra: T) {
  return {
    leaseOwner: null,
    leaseToken: null,
    leaseExpiresAt: null,
    ...extra,
  };
}

/** What a new run of a stage starts without: the last run's leftovers. */
export const freshRun = releasedLease({
  attempts: 0,
  lastError: null,
  runAfter: null,
  waitingReason: null,
  progress: null,
  renderJobId: null,
  renderServer: null,
});

/**
 * Counts of prompts by status, by artifact status and by type, from the
 * counters that triggers keep in step with every change (db/stats.ts).
 */
export function countPrompts(db: Db) {
  return readPromptCounts(db);
}

/** One earlier output of a prompt: a writing and the files made from it. */
export type PromptHistoryEntry = { writing: Writing; artifacts: Artifact[] };

/**
 * A prompt's earlier outputs, newest first: every writing but the current
 * one (a re-write or re-render left them), each with its files.
 */
export function listPromptHistory(
  db: Db,
  promptId: number,
): PromptHistoryEntry[] {
  return db.transaction((tx) => {
    const prompt = tx
      .select({ outputReference: prompts.outputReference })
      .from(prompts)
      .where(eq(prompts.id, promptId))
      .get();
    if (!prompt) return [];
    const earlier = tx
      .select()
      .from(writings)
      .where(eq(writings.promptId, promptId))
      .orderBy(desc(writings.id))
      .all()
      .filter((writing) => writing.id !== prompt.outputReference);
    const files = tx
      .select()
      .from(artifacts)
      .where(eq(artifacts.promptId, promptId))
      .orderBy(asc(artifacts.id))
      .all();
    return earlier.map((writing) => ({
      writing,
      artifacts: files.filter((file) => file.writingId === writing.id),
    }));
  });
}
