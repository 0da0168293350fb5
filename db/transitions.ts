import { eq, is, sql, SQL } from "drizzle-orm";
import { AppError } from "../lib/errors";
import type { ArtifactStatus, Status } from "../lib/prompt-types";
import type { Db } from "./client";
import { promptEvents, prompts, type Prompt, type PromptEvent } from "./schema";
import { prepared } from "./statements";

/** A prompt's place in its lifecycle: the two status columns together. */
export type PromptState = {
  status: Status;
  artifactStatus: ArtifactStatus | null;
};

export type StateKey = `${Status}/${ArtifactStatus | "-"}`;

export function stateKey(state: PromptState): StateKey {
  return `${state.status}/${state.artifactStatus ?? "-"}`;
}

/**
 * Every allowed change of state. Stage 1 runs from unprocessed/-; stage 2
 * (media prompts only) runs from completed/pending. A person may send a
 * finished prompt back: to stage 1 (re-write, also after a failed render)
 * or, for media, to stage 2 (re-render); its earlier outputs are kept.
 */
export const allowedTransitions: Partial<
  Record<StateKey, readonly StateKey[]>
> = {
  "unprocessed/-": ["processing/-", "cancelled/-"],
  "processing/-": [
    "completed/-",
    "completed/pending",
    "failed/-",
    "unprocessed/-",
    "cancelled/-",
  ],
  "failed/-": ["unprocessed/-"],
  "completed/-": ["unprocessed/-"],
  "completed/pending": ["processing/processing", "cancelled/-"],
  "processing/processing": [
    "completed/ready",
    "failed/failed",
    "completed/pending",
    "cancelled/-",
  ],
  "failed/failed": ["completed/pending", "unprocessed/-"],
  "completed/ready": ["completed/pending", "unprocessed/-"],
  "cancelled/-": [],
};

export function isAllowedTransition(from: PromptState, to: PromptState) {
  return allowedTransitions[stateKey(from)]?.includes(stateKey(to)) ?? false;
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type Writer = Db | Tx;

/** Columns a transition may set besides the two status columns. */
export type TransitionPatch = Partial<
  Pick<
    Prompt,
    | "outputReference"
    | "lastError"
    | "attempts"
    | "progress"
    | "leaseOwner"
    | "leaseToken"
    | "leaseExpiresAt"
    | "runAfter"
    | "waitingReason"
    | "renderJobId"
    | "renderServer"
    | "seed"
  >
>;

export type TransitionRequest = {
  promptId: number;
  to: PromptState;
  reason: string;
  /** When set, the prompt must still hold this lease token. */
  leaseToken?: string;
  workerId?: string | null;
  detail?: string | null;
  patch?: TransitionPatch;
  now?: Date;
};

export type TransitionResult = { prompt: Prompt; event: PromptEvent };

/**
 * The one function that changes a prompt's status. It checks the change
 * against allowedTransitions and the caller's lease, then writes the event
 * row and the prompt row. Call it inside the caller's write transaction so
 * that outputs commit together with the status that announces them.
 */
export function applyTransition(
  tx: Writer,
  request: TransitionRequest,
): TransitionResult {
  return applyTransitionTo(tx, getPromptOrThrow(tx, request.promptId), request);
}

/**
 * applyTransition for a prompt row the caller has just read in this
 * transaction (to check the change before writing anything else).
 */
export function applyTransitionTo(
  tx: Writer,
  current: Prompt,
  request: TransitionRequest,
): TransitionResult {
  assertTransition(current, request);
  return recordChange(tx, current, request);
}

/** Columns a change that keeps the state may set. */
export type PromptEditPatch = Partial<
  Pick<Prompt, "text" | "type" | "priority">
>;

export type PromptEditRequest = {
  promptId: number;
  reason: string;
  detail?: string | null;
  patch: PromptEditPatch;
  now?: Date;
};

/**
 * Records a change that keeps the prompt's state (its text, type or
 * priority edited) as an event from that state to itself, so that its
 * timeline and the live stream show it like a transition. The caller checks
 * that the state allows the change, in the same write transaction.
 */
export function applyPromptEdit(
  tx: Writer,
  request: PromptEditRequest,
): TransitionResult {
  const current = getPromptOrThrow(tx, request.promptId);
  return recordChange(tx, current, { ...request, to: current });
}

type Change = {
  to: PromptState;
  reason: string;
  workerId?: string | null;
  detail?: string | null;
  patch?: TransitionPatch | PromptEditPatch;
  now?: Date;
};

/** The prompt row, or not_found. */
export function getPromptOrThrow(tx: Writer, promptId: number): Prompt {
  const row = prepared(tx, "prompt by id", () =>
    tx
      .select()
      .from(prompts)
      .where(eq(prompts.id, sql.placeholder("id")))
      .prepare(),
  ).get({ id: promptId });
  if (!row) throw new AppError("not_found", `prompt ${promptId} not found`);
  return row;
}

/** Writes the event row, then the prompt row that points at it. */
function recordChange(
  tx: Writer,
  current: Prompt,
  change: Change,
): TransitionResult {
  const now = change.now ?? new Date();
  const event = insertEvent(tx).get({
    promptId: current.id,
    fromStatus: current.status,
    fromArtifactStatus: current.artifactStatus,
    toStatus: change.to.status,
    toArtifactStatus: change.to.artifactStatus,
    reason: change.reason,
    workerId: change.workerId ?? null,
    detail: change.detail ?? null,
    createdAt: now,
  })!;

  const prompt = updatePrompt(tx, current.id, {
    ...change.patch,
    status: change.to.status,
    artifactStatus: change.to.artifactStatus,
    lastEventId: event.id,
    updatedAt: now,
  });
  return { prompt, event };
}

const eventColumns = [
  "promptId",
  "fromStatus",
  "fromArtifactStatus",
  "toStatus",
  "toArtifactStatus",
  "reason",
  "workerId",
  "detail",
  "createdAt",
] as const;

function insertEvent(tx: Writer) {
  return prepared(tx, "insert event", () =>
    tx
      .insert(promptEvents)
      .values(
        Object.fromEntries(
          eventColumns.map((name) => [name, sql.placeholder(name)]),
        ) as unknown as typeof promptEvents.$inferInsert,
      )
      .returning()
      .prepare(),
  );
}

type PromptSet = Partial<typeof prompts.$inferInsert>;

/**
 * Updates the prompt row with a statement prepared for this set of
 * columns; a column set to null is written as a literal NULL, since a
 * placeholder would pass null through the column's encoder. A value that
 * is SQL (an attempt uncounted) takes the unprepared path.
 */
function updatePrompt(tx: Writer, promptId: number, values: PromptSet) {
  if (Object.values(values).some((value) => is(value, SQL))) {
    return tx
      .update(prompts)
      .set(values)
      .where(eq(prompts.id, promptId))
      .returning()
      .get();
  }
  const names = (Object.keys(values) as (keyof Prompt)[])
    .filter((name) => values[name] !== undefined)
    .sort();
  const key = names
    .map((name) => (values[name] === null ? `${name}=null` : name))
    .join(",");
  const statement = prepared(tx, `update prompt ${key}`, () =>
    tx
      .update(prompts)
      .set(
        Object.fromEntries(
          names.map((name) => [
            name,
            values[name] === null ? null : sql.placeholder(name),
          ]),
        ),
      )
      .where(eq(prompts.id, sql.placeholder("id")))
      .returning()
      .prepare(),
  );
  return statement.get({ ...values, id: promptId })!;
}

/** Throws lease_lost or illegal_transition unless the change may happen. */
export function assertTransition(current: Prompt, request: TransitionRequest) {
  if (
    request.leaseToken !== undefined &&
    current.leaseToken !== request.leaseToken
  ) {
    throw new AppError(
      "lease_lost",
      `prompt ${current.id} is no longer held by this lease`,
    );
  }
  if (!isAllowedTransition(current, request.to)) {
    throw new AppError(
      "illegal_transition",
      `prompt ${current.id} cannot go from ${stateKey(current)} to ${stateKey(request.to)}`,
    );
  }
}
