import { randomInt } from "node:crypto";
import { and, count, eq, isNull, max, ne, or, sql } from "drizzle-orm";
import { AppError } from "../lib/errors";
import { maxPriority, minPriority, type PromptType } from "../lib/prompt-types";
import type { Stage } from "./claims";
import { immediate, type Db } from "./client";
import { freshRun, insertPrompt } from "./prompts";
import { prompts, settings, writings, type Prompt } from "./schema";
import { prepared } from "./statements";
import {
  applyPromptEdit,
  applyTransition,
  getPromptOrThrow,
  stateKey,
  type PromptEditPatch,
  type Writer,
} from "./transitions";

// Queue control: what people do to the queue while it runs. Pausing a stage
// stops new claims of it; the rest changes waiting or finished prompts, each
// in one write transaction with its event.

export const stages: readonly Stage[] = ["write", "render"];

/** A stage's pause as stored in `settings` under `pause.<stage>`. */
export type StagePause = { paused: boolean; since: Date | null };

type StoredPause = { paused: boolean; since: string };

const pauseKey = (stage: Stage) => `pause.${stage}`;

/** Whether new claims of a stage are held back; read inside the claim. */
export function isStagePaused(tx: Writer, stage: Stage): boolean {
  return readPause(tx, stage).paused;
}

export function getStagePauses(db: Writer): Record<Stage, StagePause> {
  return { write: readPause(db, "write"), render: readPause(db, "render") };
}

function readPause(tx: Writer, stage: Stage): StagePause {
  // Read on every claim: prepared once per connection.
  const row = prepared(tx, "setting by key", () =>
    tx
      .select({ value: settings.value })
      .from(settings)
      .where(eq(settings.key, sql.placeholder("key")))
      .prepare(),
  ).get({ key: pauseKey(stage) });
  const value = row?.value as StoredPause | undefined;
  if (!value?.paused) return { paused: false, since: null };
  return { paused: true, since: new Date(value.since) };
}

/**
 * Holds back new claims of a stage, across restarts; stages already running
 * finish. Pausing a paused stage keeps its first `since`.
 */
export function pauseStage(db: Db, stage: Stage, now = new Date()) {
  return setPause(db, stage, true, now);
}

/** Lets a paused stage be claimed again; workers see the commit at once. */
export function resumeStage(db: Db, stage: Stage, now = new Date()) {
  return setPause(db, stage, false, now);
}

function setPause(db: Db, stage: Stage, paused: boolean, now: Date) {
  return db.transaction((tx) => {
    const current = readPause(tx, stage);
    if (current.paused === paused) return current;
    const value: StoredPause = { paused, since: now.toISOString() };
    tx.insert(settings)
      .values({ key: pauseKey(stage), value, updatedAt: now })
      .onConflictDoUpdate({
        target: settings.key,
        set: { value, updatedAt: now },
      })
      .run();
    return readPause(tx, stage);
  }, immediate);
}

export type PromptEdit = {
  text?: string;
  type?: PromptType;
  priority?: number;
};

/**
 * Changes a waiting prompt: its text or type only before stage 1 ever ran
 * for it (unprocessed, no attempt, no writing), its priority while it waits
 * for either stage; the state is checked for every field sent, and a field
 * that would stay the same records no event.
 */
export function editPrompt(
  db: Db,
  promptId: number,
  edit: PromptEdit,
  now = new Date(),
): Prompt {
  return changePrompt(db, promptId, (tx, current) => {
    if (edit.text !== undefined || edit.type !== undefined) {
      assertNotStarted(tx, current);
    }
    if (edit.priority !== undefined) {
      assertWaiting(current, "its priority changed");
    }
    const patch = changedFields(current, edit);
    if (Object.keys(patch).length === 0) return current;

    const isPriorityOnly = Object.keys(patch).join() === "priority";
    return applyPromptEdit(tx, {
      promptId,
      reason: isPriorityOnly ? "priority changed" : "edited",
      detail: describeEdit(current, patch),
      patch,
      now,
    }).prompt;
  });
}

function changedFields(current: Prompt, edit: PromptEdit): PromptEditPatch {
  const patch: PromptEditPatch = {};
  if (edit.text !== undefined && edit.text !== current.text) {
    patch.text = edit.text;
  }
  if (edit.type !== undefined && edit.type !== current.type) {
    patch.type = edit.type;
  }
  if (edit.priority !== undefined && edit.priority !== current.priority) {
    patch.priority = edit.priority;
  }
  return patch;
}

function describeEdit(current: Prompt, patch: PromptEditPatch): string {
  const parts: string[] = [];
  if (patch.type) parts.push(`type ${current.type} → ${patch.type}`);
  if (patch.text !== undefined) parts.push("text changed");
  if (patch.priority !== undefined) {
    parts.push(`priority ${current.priority} → ${patch.priority}`);
  }
  return parts.join("; ");
}

function assertNotStarted(tx: Writer, prompt: Prompt) {
  const written = tx
    .select({ n: count() })
    .from(writings)
    .where(eq(writings.promptId, prompt.id))
    .get()!.n;
  const isUnstarted =
    stateKey(prompt) === "unprocessed/-" &&
    prompt.attempts === 0 &&
    written === 0;
  if (!isUnstarted) {
    throw new AppError(
      "conflict",
      `prompt ${prompt.id} ${describeProgress(prompt, written)}; only the ` +
        "text or type of a prompt that has not started can be edited",
    );
  }
}

function describeProgress(prompt: Prompt, written: number): string {
  if (written > 0) return "already has a writing";
  if (prompt.status === "unprocessed") {
    return `has already been tried (${prompt.attempts} attempts)`;
  }
  return `is ${describeState(prompt)}`;
}

const waitingStates = new Set(["unprocessed/-", "completed/pending"]);

function assertWaiting(prompt: Prompt, what: string) {
  if (waitingStates.has(stateKey(prompt))) return;
  throw new AppError(
    "conflict",
    `prompt ${prompt.id} is ${describeState(prompt)}; only a prompt waiting ` +
      `for a stage can have ${what}`,
  );
}

/**
 * Puts a waiting prompt first in its queue: one above the highest priority
 * of every other waiting prompt. A prompt already alone at the top is left
 * as it is.
 */
export function movePromptToTop(
  db: Db,
  promptId: number,
  now = new Date(),
): Prompt {
  return changePrompt(db, promptId, (tx, current) => {
    assertWaiting(current, "its place in the queue changed");
    const highest = highestWaitingPriority(tx, promptId);
    if (highest === null || current.priority > highest) return current;

    if (highest >= maxPriority) makeRoomAtTop(tx, promptId, now);
    const priority = Math.min(highest + 1, maxPriority);
    return applyPromptEdit(tx, {
      promptId,
      reason: "moved to top",
      detail: `priority ${current.priority} → ${priority}`,
      patch: { priority },
      now,
    }).prompt;
  });
}

/**
 * Lowers by one the other waiting prompts in the unbroken run of priorities
 * that reaches the top of the accepted range, so the top is free without
 * going past it and their order among themselves and the rest stays.
 * LIMIT: a run down to the bottom of the range merges with it there.
 */
function makeRoomAtTop(tx: Writer, exceptId: number, now: Date) {
  const waiting = tx
    .select({ id: prompts.id, priority: prompts.priority })
    .from(prompts)
    .where(and(ne(prompts.id, exceptId), isWaiting))
    .all();
  const taken = new Set(waiting.map((row) => row.priority));
  let runBottom = maxPriority;
  while (runBottom > minPriority && taken.has(runBottom - 1)) runBottom--;

  for (const row of waiting) {
    if (row.priority < runBottom || row.priority <= minPriority) continue;
    const priority = Math.min(row.priority, maxPriority) - 1;
    applyPromptEdit(tx, {
      promptId: row.id,
      reason: "made room at the top",
      detail: `priority ${row.priority} → ${priority}`,
      patch: { priority },
      now,
    });
  }
}

/** Waiting to be written, or written and waiting to be rendered. */
const isWaiting = or(
  and(eq(prompts.status, "unprocessed"), isNull(prompts.artifactStatus)),
  and(eq(prompts.status, "completed"), eq(prompts.artifactStatus, "pending")),
);

function highestWaitingPriority(tx: Writer, exceptId: number): number | null {
  const row = tx
    .select({ highest: max(prompts.priority) })
    .from(prompts)
    .where(and(ne(prompts.id, exceptId), isWaiting))
    .get();
  return row?.highest ?? null;
}

export type BatchPrompt = { type: PromptType; text: string };

/**
 * Adds every prompt of a batch, each with its "submitted" event, in one
 * transaction: all of them or, if any insert fails, none.
 */
export function createPromptBatch(
  db: Db,
  batch: readonly BatchPrompt[],
  options: { priority?: number; now?: Date } = {},
): Prompt[] {
  const now = options.now ?? new Date();
  const detail = `one of a batch of ${batch.length}`;
  return db.transaction(
    (tx) =>
      batch.map((input) =>
        insertPrompt(
          tx,
          { ...input, priority: options.priority ?? 0 },
          now,
          detail,
        ),
      ),
    immediate,
  );
}

/**
 * Renders a finished media prompt again from its stored spec. The spec is
 * copied to a new writing row that the new files will belong to, so the
 * earlier files stay with the earlier row, in the prompt's history.
 */
export function rerenderPrompt(
  db: Db,
  promptId: number,
  now = new Date(),
): Prompt {
  return changePrompt(db, promptId, (tx, current) => {
    const spec = current.outputReference
      ? tx
          .select()
          .from(writings)
          .where(eq(writings.id, current.outputReference))
          .get()
      : undefined;
    if (stateKey(current) !== "completed/ready" || !spec) {
      throw new AppError(
        "conflict",
        `prompt ${promptId} is ${describeState(current)}; only a media ` +
          "prompt whose render finished can be rendered again",
      );
    }

    const copy = tx
      .insert(writings)
      .values({
        promptId,
        format: spec.format,
        content: spec.content,
        backend: spec.backend,
        createdAt: spec.createdAt,
      })
      .returning({ id: writings.id })
      .get();
    return applyTransition(tx, {
      promptId,
      to: { status: "completed", artifactStatus: "pending" },
      reason: "re-rendering requested",
      detail: `from the spec of writing ${spec.id}`,
      patch: { ...freshRun, outputReference: copy.id },
      now,
    }).prompt;
  });
}

const rewritable = new Set(["completed/-", "completed/ready", "failed/failed"]);

/**
 * Runs stage 1 of a finished prompt again with a new seed, so that it is a
 * new roll (for a media prompt, stage 2 follows). Its earlier writings and
 * files stay in its history; the new writing becomes its output when it is
 * recorded.
 */
export function rewritePrompt(
  db: Db,
  promptId: number,
  now = new Date(),
): Prompt {
  return changePrompt(db, promptId, (tx, current) => {
    if (!rewritable.has(stateKey(current))) {
      throw new AppError(
        "conflict",
        `prompt ${promptId} is ${describeState(current)}; only a finished ` +
          "prompt, or one whose render failed, can be written again",
      );
    }
    return applyTransition(tx, {
      promptId,
      to: { status: "unprocessed", artifactStatus: null },
      reason: "re-writing requested",
      detail: current.outputReference
        ? `writing ${current.outputReference} kept in its history`
        : null,
      patch: {
        ...freshRun,
        outputReference: null,
        seed: randomInt(0, 2 ** 32 - 1),
      },
      now,
    }).prompt;
  });
}

/**
 * Runs a change of one prompt in a write transaction, given its current row;
 * a prompt that does not exist is not_found.
 */
function changePrompt(
  db: Db,
  promptId: number,
  change: (tx: Writer, current: Prompt) => Prompt,
): Prompt {
  return db.transaction(
    (tx) => change(tx, getPromptOrThrow(tx, promptId)),
    immediate,
  );
}

function describeState(prompt: Prompt): string {
  switch (stateKey(prompt)) {
    case "unprocessed/-":
      return "waiting to be written";
    case "processing/-":
      return "being written";
    case "completed/-":
      return "finished";
    case "completed/pending":
      return "waiting to be rendered";
    case "processing/processing":
      return "being rendered";
    case "completed/ready":
      return "finished";
    case "failed/-":
    case "failed/failed":
      return "failed";
    case "cancelled/-":
      return "cancelled";
    default:
      return stateKey(prompt);
  }
}
