import type { Claim } from "../db/claims";
import { whyLeaseWasTaken } from "../db/events";
import {
  failStage,
  releaseClaim,
  retryStage,
  waitForBackend,
} from "../db/stage-failures";
import {
  describeFailure,
  isAppError,
  isBackendError,
  type FailureKind,
} from "../lib/errors";
import type { StageContext, StageOutcome } from "./run-stage";
import { retryDelayMs } from "./retry-delay";

/** Why the loop aborted a stage; carried as the AbortSignal's reason. */
export class StageInterrupt extends Error {
  constructor(
    readonly why: "shutdown" | "timeout" | "lease_lost",
    message: string,
  ) {
    super(message);
    this.name = "StageInterrupt";
  }
}

export type Failure = {
  kind: FailureKind;
  /** The readable reason: the kind's fixed prefix, then what happened. */
  reason: string;
  /** A bug rather than an expected outcome: logged as an error. */
  isUnexpected: boolean;
};

const maxReasonChars = 1000;

/**
 * Sorts a stage's error into one of the three kinds. A timeout is
 * transient; a backend says which kind it threw; an expected AppError (a
 * spec that does not validate, say) and any unexpected error are permanent.
 */
export function classifyFailure(
  error: unknown,
  interrupt: StageInterrupt | null,
  claim: Claim,
): Failure {
  const reason = (kind: FailureKind, message: string) =>
    Array.from(describeFailure(kind, message))
      .slice(0, maxReasonChars)
      .join("");

  if (interrupt?.why === "timeout") {
    const kind = "transient";
    return {
      kind,
      reason: reason(kind, interrupt.message),
      isUnexpected: false,
    };
  }
  if (isBackendError(error) || isAppError(error)) {
    const kind = isBackendError(error) ? error.kind : "permanent";
    return { kind, reason: reason(kind, error.message), isUnexpected: false };
  }
  const step = claim.stage === "write" ? "writing" : "rendering";
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${step} failed: ${detail}`;
  return {
    kind: "permanent",
    reason: reason("permanent", message),
    isUnexpected: true,
  };
}

/**
 * A person cancelling or requeueing the prompt is routine (info); a lease
 * that expired under this worker means it stalled (warn).
 */
function logLeaseLost(context: StageContext, claim: Claim, error: unknown) {
  let why: string | null = null;
  try {
    why = whyLeaseWasTaken(context.db, claim.prompt.id);
  } catch {
    // Logged as an unexplained loss below.
  }
  if (why === "cancelled" || why === "requeued") {
    context.log.info(
      { why },
      `prompt ${why} under a running stage; no result recorded`,
    );
  } else {
    context.log.warn({ err: error, why }, "lease lost; result dropped");
  }
}

/**
 * Settles a stage that threw: dropped when the lease was lost, given back
 * on shutdown, otherwise retried, put to wait or failed by its kind.
 */
export function settleFailure(
  context: StageContext,
  claim: Claim,
  signal: AbortSignal,
  error: unknown,
): StageOutcome {
  const interrupt =
    signal.aborted && signal.reason instanceof StageInterrupt
      ? signal.reason
      : null;
  if (isLeaseLost(error) || interrupt?.why === "lease_lost") {
    logLeaseLost(context, claim, error);
    return "lease_lost";
  }
  if (interrupt?.why === "shutdown") {
    return whileLeaseHeld(context, () => {
      releaseClaim(context.db, claim, "worker stopping");
      return "released";
    });
  }

  const failure = classifyFailure(error, interrupt, claim);
  if (failure.isUnexpected) {
    context.log.error({ err: error }, "stage failed unexpectedly");
  }
  return whileLeaseHeld(context, () => recordFailure(context, claim, failure));
}

function recordFailure(
  context: StageContext,
  claim: Claim,
  failure: Failure,
): StageOutcome {
  const { db, retry } = context;
  const now = context.now?.() ?? new Date();
  const attempt = claim.prompt.attempts;

  // The loop then holds writing until the server answers again (see
  // loop.ts), so an outage costs one wait, not two events per retry nor
  // two per queued prompt.
  if (failure.kind === "unreachable") {
    const runAfter = new Date(now.getTime() + retry.unreachableWaitMs);
    waitForBackend(db, claim, { waitingReason: failure.reason, runAfter, now });
    return "waiting";
  }
  if (failure.kind === "transient" && attempt < retry.maxAttempts) {
    const delayMs = retryDelayMs(attempt, retry, context.random);
    const runAfter = new Date(now.getTime() + delayMs);
    const detail =
      `attempt ${attempt} of ${retry.maxAttempts} failed; next try at ` +
      `${runAfter.toISOString()} (in ${delayMs} ms): ${failure.reason}`;
    retryStage(db, claim, { lastError: failure.reason, runAfter, detail, now });
    return "retrying";
  }
  failStage(db, claim, failure.reason, now);
  return "failed";
}

/** Runs a lease-checked write; a lost lease is expected, not a crash. */
function whileLeaseHeld(
  context: StageContext,
  write: () => StageOutcome,
): StageOutcome {
  try {
    return write();
  } catch (error) {
    if (!isLeaseLost(error)) throw error;
    context.log.warn("lease lost before the outcome was recorded");
    return "lease_lost";
  }
}

export function isLeaseLost(error: unknown): boolean {
  return isAppError(error) && error.code === "lease_lost";
}
