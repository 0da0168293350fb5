import { setTimeout } from "node:timers/promises";
import type { Claim } from "../db/claims";
import type { Db } from "../db/client";
import type { Logger } from "../lib/log";
import type { ComfyRenderer } from "./comfyui-renderer";
import { runRenderStage } from "./render-stage";
import type { RetryPolicy } from "./retry-delay";
import { settleFailure } from "./stage-failure";
import { runWriteStage, type Writer } from "./write-stage";
import type { RecordWriting } from "./writing-recorder";

export type StageContext = {
  db: Db;
  artifactsDir: string;
  log: Logger;
  writer?: Writer;
  recordWriting?: RecordWriting;
  /** Renders stage 2 on ComfyUI; without it, the built-in renderers run. */
  comfyui?: ComfyRenderer;
  /** How long a built-in stage takes, so that people can watch the flow. */
  builtinDelayMs?: number;
  retry: RetryPolicy;
  /** Injected by tests: the clock and the jitter's random source. */
  now?: () => Date;
  random?: () => number;
};

/** How a stage ended, as the summary log line reports it. */
export type StageOutcome =
  "completed" | "failed" | "retrying" | "waiting" | "released" | "lease_lost";

/**
 * Runs one claimed stage and settles it: recorded, retried later, waiting
 * for its backend, failed with a readable reason, given back (on shutdown),
 * or dropped when the lease was lost.
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
    const isBuiltin =
      claim.stage === "write" ? !context.writer : !context.comfyui;
    if (context.builtinDelayMs && isBuiltin) {
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
