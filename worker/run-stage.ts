import { setTimeout } from "node:timers/promises";
import { failStage, releaseClaim, type Claim } from "../db/claims";
import type { Db } from "../db/client";
import { isAppError } from "../lib/errors";
import type { Logger } from "../lib/log";
import { runRenderStage } from "./render-stage";
import { runWriteStage, type Writer } from "./write-stage";

export type StageContext = {
  db: Db;
  artifactsDir: string;
  log: Logger;
  writer?: Writer;
  /** How long a built-in stage takes, so that people can watch the flow. */
  builtinDelayMs?: number;
};

/** How a stage ended, as the summary log line reports it. */
export type StageOutcome = "completed" | "failed" | "released" | "lease_lost";

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

const maxLastErrorChars = 1000;

/**
 * Runs one claimed stage and settles it: recorded, failed with a readable
 * reason, given back (on shutdown), or dropped when the lease was lost.
 * Logs one summary line.
 */
export async function runClaimedStage(
  context: StageContext,
  claim: Claim,
  signal: AbortSignal,
): Promise<StageOutcome> {
  const startedAt = performance.now();
  const log = context.log.child({
    promptId: claim.prompt.id,
    stage: claim.stage,
  });

  let outcome: StageOutcome;
  try {
    const stageContext = { ...context, signal };
    if (context.builtinDelayMs && !context.writer) {
      await setTimeout(context.builtinDelayMs, undefined, { signal });
    }
    await (claim.stage === "write"
      ? runWriteStage(stageContext, claim)
      : runRenderStage(stageContext, claim));
    outcome = "completed";
  } catch (error) {
    outcome = settleFailure({ ...context, log }, claim, signal, error);
  }

  const durationMs = Math.round(performance.now() - startedAt);
  log.info({ outcome, durationMs }, "stage finished");
  return outcome;
}

function settleFailure(
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
    context.log.warn({ err: error }, "lease lost; result dropped");
    return "lease_lost";
  }
  if (interrupt?.why === "shutdown") {
    return (
      whileLeaseHeld(context, () =>
        releaseClaim(context.db, claim, "worker stopping"),
      ) ?? "released"
    );
  }

  // LIMIT: the built-ins are never down. A backend that is unreachable should
  // wait (runAfter, with the reason shown) instead of failing the prompt.
  if (!interrupt && !isAppError(error)) {
    context.log.error({ err: error }, "stage failed unexpectedly");
  }
  const lastError = interrupt?.message ?? describeError(error, claim);
  return (
    whileLeaseHeld(context, () => failStage(context.db, claim, lastError)) ??
    "failed"
  );
}

/** Runs a lease-checked write; a lost lease is expected, not a crash. */
function whileLeaseHeld(
  context: StageContext,
  write: () => unknown,
): "lease_lost" | undefined {
  try {
    write();
    return undefined;
  } catch (error) {
    if (!isLeaseLost(error)) throw error;
    context.log.warn("lease lost before the outcome was recorded");
    return "lease_lost";
  }
}

function isLeaseLost(error: unknown): boolean {
  return isAppError(error) && error.code === "lease_lost";
}

function describeError(error: unknown, claim: Claim): string {
  const step = claim.stage === "write" ? "writing" : "rendering";
  const detail = error instanceof Error ? error.message : String(error);
  const message = isAppError(error) ? detail : `${step} failed: ${detail}`;
  return Array.from(message).slice(0, maxLastErrorChars).join("");
}
