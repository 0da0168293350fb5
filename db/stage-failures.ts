// How a claimed stage ends without a result: failed, retried later, waiting
// for its backend, or given back. Each write checks the claim's lease token
// (fencing), so a worker that lost its lease changes nothing.
import { sql } from "drizzle-orm";
import { stageFailed, stageStart, type Claim } from "./claims";
import { immediate, type Db } from "./client";
import { releasedLease } from "./prompts";
import { prompts, type Prompt } from "./schema";
import { applyTransition, type TransitionRequest } from "./transitions";

/** Undoes the claim's attempt count: the stage did not really run. */
const uncountedAttempt =
  sql`max(${prompts.attempts} - 1, 0)` as unknown as number;

function applyForClaim(
  db: Db,
  claim: Claim,
  request: Omit<TransitionRequest, "promptId" | "leaseToken" | "workerId">,
): Prompt {
  return db.transaction(
    (tx) =>
      applyTransition(tx, {
        ...request,
        promptId: claim.prompt.id,
        leaseToken: claim.leaseToken,
        workerId: claim.workerId,
      }).prompt,
    immediate,
  );
}

/** Marks the claimed stage failed with a readable reason. */
export function failStage(
  db: Db,
  claim: Claim,
  lastError: string,
  now = new Date(),
): Prompt {
  const isWrite = claim.stage === "write";
  return applyForClaim(db, claim, {
    to: stageFailed[claim.stage],
    reason: isWrite ? "writing failed" : "rendering failed",
    detail: lastError,
    patch: releasedLease({ lastError, runAfter: null, waitingReason: null }),
    now,
  });
}

export type RetryRequest = {
  lastError: string;
  runAfter: Date;
  /** Says when and why, for the timeline. */
  detail: string;
  now?: Date;
};

/**
 * Sends the claimed prompt back to the start of its stage, to run again
 * from runAfter; the attempt stays counted and lastError is kept.
 */
export function retryStage(db: Db, claim: Claim, retry: RetryRequest): Prompt {
  return applyForClaim(db, claim, {
    to: stageStart[claim.stage],
    reason: "retry scheduled",
    detail: retry.detail,
    patch: releasedLease({
      lastError: retry.lastError,
      runAfter: retry.runAfter,
      waitingReason: null,
      progress: null,
    }),
    now: retry.now,
  });
}

export type WaitRequest = {
  waitingReason: string;
  runAfter: Date;
  now?: Date;
};

/**
 * Puts the claimed prompt back to wait for its backend, showing why, with
 * no attempt counted: a backend that is down is not the prompt's fault.
 */
export function waitForBackend(
  db: Db,
  claim: Claim,
  wait: WaitRequest,
): Prompt {
  return applyForClaim(db, claim, {
    to: stageStart[claim.stage],
    reason: "waiting for backend",
    detail: `${wait.waitingReason}; next try at ${wait.runAfter.toISOString()}`,
    patch: releasedLease({
      attempts: uncountedAttempt,
      runAfter: wait.runAfter,
      waitingReason: wait.waitingReason,
      progress: null,
    }),
    now: wait.now,
  });
}

/**
 * Gives a claimed prompt back to the start of its stage without counting
 * the attempt (used on shutdown).
 */
export function releaseClaim(
  db: Db,
  claim: Claim,
  reason: string,
  now = new Date(),
): Prompt {
  return applyForClaim(db, claim, {
    to: stageStart[claim.stage],
    reason,
    patch: releasedLease({ attempts: uncountedAttempt, progress: null }),
    now,
  });
}
