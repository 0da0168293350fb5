import {
  claimPrompts,
  extendLease,
  stagesInClaimOrder,
  type Claim,
  type Stage,
} from "../db/claims";
import type { Db } from "../db/client";
import { recordHeartbeat } from "../db/workers";
import type { Config } from "../lib/config";
import type { Logger } from "../lib/log";
import { startComfyBackend, type ComfyBackend } from "./comfyui-backend";
import { runClaimedStage } from "./run-stage";
import { StageInterrupt } from "./stage-failure";
import { createWakeup, type Wakeup } from "./wakeup";
import type { Writer } from "./write-stage";
import { createWritingRecorder, type RecordWriting } from "./writing-recorder";

export type WorkerLoopOptions = {
  db: Db;
  config: Config;
  workerId: string;
  log: Logger;
  /** Drain what is ready (stage 2 included) and return. */
  once: boolean;
  /** Aborted on shutdown: stop claiming, give in-flight work a grace period. */
  stopSignal: AbortSignal;
  writer?: Writer;
  /** Called on every heartbeat, next to the database's; must not throw. */
  onHeartbeat?: () => void;
  /**
   * Called after each claim transaction with how long it took and how many
   * prompts it claimed; the queue benchmark reads claim latency from it.
   */
  onClaim?: (durationMs: number, claimed: number) => void;
};

/**
 * The options and what the loop started from them. `writeHeldUntilMs`: after
 * stage 1 found its model server unreachable, no new writing is claimed
 * until then; the waiting prompt tries again first, so a down server costs
 * one try per UNREACHABLE_RETRY_MS, not one per queued prompt. (Stage 2
 * needs no hold: an unreachable ComfyUI server is left out of its claims.)
 */
type LoopContext = WorkerLoopOptions & {
  comfy: ComfyBackend | null;
  recordWriting: RecordWriting;
  hold: { writeHeldUntilMs: number };
};

type InFlight = {
  claim: Claim;
  controller: AbortController;
  done: Promise<void>;
};

/**
 * Claims and runs stages until stopped (or, with once, until idle),
 * keeping up to WRITE_CONCURRENCY writes and RENDER_CONCURRENCY renders in
 * flight at a time.
 */
export async function runWorkerLoop(
  loopOptions: WorkerLoopOptions,
): Promise<void> {
  const comfy = await startComfyBackend(loopOptions);
  const options: LoopContext = {
    ...loopOptions,
    comfy,
    recordWriting: createWritingRecorder(loopOptions.db),
    hold: { writeHeldUntilMs: 0 },
  };
  const { db, config, stopSignal } = options;
  const inFlight = new Set<InFlight>();
  const wakeup = createWakeup(db);
  const heartbeat = setInterval(
    () => beat(options, inFlight),
    config.HEARTBEAT_MS,
  );

  try {
    while (!stopSignal.aborted) {
      wakeup.reset();
      const wasIdle = inFlight.size === 0;
      const claimed = fillSlots(options, inFlight, wakeup);
      // Show the new work on the workers row at once; fresh leases need no
      // extending, and a busy worker's row follows on the next beat.
      if (claimed > 0 && wasIdle) recordCurrentPrompt(options, inFlight);
      if (options.once && claimed === 0 && inFlight.size === 0) break;
      await wakeup.wait(config.WORKER_IDLE_MS, stopSignal);
    }
  } finally {
    await Promise.all([...inFlight].map((running) => running.done));
    clearInterval(heartbeat);
    wakeup.close();
    comfy?.pool.close();
  }
}

/**
 * The most prompts one claim transaction takes: enough to share a commit
 * among many, few enough that the write lock is held briefly (another
 * worker process waits for it in SQLite's busy handler, which sleeps).
 */
export const maxClaimsPerTransaction = 32;

/** Claims work for every free slot; returns how many claims it made. */
function fillSlots(
  options: LoopContext,
  inFlight: Set<InFlight>,
  wakeup: Wakeup,
): number {
  const { config } = options;
  const limits = {
    write: config.WRITE_CONCURRENCY,
    render: config.RENDER_CONCURRENCY,
  };
  let claimed = 0;

  const isWriteHeld = Date.now() < options.hold.writeHeldUntilMs;
  for (const stage of stagesInClaimOrder) {
    if (stage === "write" && isWriteHeld) continue;
    let free = limits[stage] - countStage(inFlight, stage);
    while (free > 0) {
      // One transaction claims a prompt for every free slot (a render
      // that picks a server claims one at a time).
      const claims = tryClaim(
        options,
        stage,
        Math.min(free, maxClaimsPerTransaction),
      );
      if (claims.length === 0) break;
      for (const claim of claims) {
        inFlight.add(startStage(options, claim, inFlight, wakeup));
      }
      claimed += claims.length;
      free -= claims.length;
    }
  }
  return claimed;
}

function countStage(inFlight: Set<InFlight>, stage: Stage): number {
  return [...inFlight].filter((running) => running.claim.stage === stage)
    .length;
}

function startStage(
  options: LoopContext,
  claim: Claim,
  inFlight: Set<InFlight>,
  wakeup: Wakeup,
): InFlight {
  const controller = new AbortController();
  const running: InFlight = { claim, controller, done: Promise.resolve() };
  running.done = runGuarded(options, running).finally(() => {
    inFlight.delete(running);
    wakeup.wake();
  });
  return running;
}

/**
 * Up to `limit` claims of a stage, none when nothing is ready or claiming
 * failed (say, the database stayed locked past its busy timeout); the loop
 * waits and tries again rather than exit over something passing.
 */
function tryClaim(options: LoopContext, stage: Stage, limit: number): Claim[] {
  const { db, config, workerId, log, once } = options;
  try {
    const startedAt = performance.now();
    const claims = claimPrompts(db, {
      workerId,
      leaseMs: config.LEASE_MS,
      maxAttempts: config.MAX_ATTEMPTS,
      stage,
      limit,
      renderServers:
        stage === "render" ? options.comfy?.pool.choices() : undefined,
    });
    options.onClaim?.(performance.now() - startedAt, claims.length);
    return claims;
  } catch (error) {
    if (once) throw error;
    log.error({ err: error }, "claiming failed; trying again");
    return [];
  }
}

/** Runs one stage under its timeout and the shutdown grace period. */
async function runGuarded(options: LoopContext, inFlight: InFlight) {
  const { config, stopSignal } = options;
  const { claim, controller } = inFlight;
  const abortWith = (why: StageInterrupt["why"], message: string) => () =>
    controller.abort(new StageInterrupt(why, message));
  const [timeoutMs, setting] =
    claim.stage === "render" && options.comfy
      ? [config.COMFYUI_TIMEOUT_MS, "COMFYUI_TIMEOUT_MS"]
      : [config.STAGE_TIMEOUT_MS, "STAGE_TIMEOUT_MS"];
  const timeout = setTimeout(
    abortWith(
      "timeout",
      `the stage took longer than ${timeoutMs} ms (${setting}) and was stopped`,
    ),
    timeoutMs,
  );
  let grace: NodeJS.Timeout | undefined;
  const startGrace = () => {
    grace = setTimeout(
      abortWith("shutdown", "the worker stopped"),
      config.SHUTDOWN_GRACE_MS,
    );
  };
  stopSignal.addEventListener("abort", startGrace, { once: true });

  try {
    const outcome = await runClaimedStage(
      stageContext(options),
      claim,
      controller.signal,
    );
    if (claim.stage === "write" && outcome === "waiting") {
      options.hold.writeHeldUntilMs = Date.now() + config.UNREACHABLE_RETRY_MS;
    }
  } catch (error) {
    options.log.error(
      { err: error, promptId: claim.prompt.id, stage: claim.stage },
      "stage outcome could not be recorded",
    );
  } finally {
    clearTimeout(timeout);
    clearTimeout(grace);
    stopSignal.removeEventListener("abort", startGrace);
  }
}

function stageContext(options: LoopContext) {
  const { config } = options;
  return {
    ...options,
    comfyui: options.comfy?.renderer,
    artifactsDir: config.artifactsDir,
    builtinDelayMs: config.BUILTIN_DELAY_MS,
    retry: {
      maxAttempts: config.MAX_ATTEMPTS,
      baseMs: config.RETRY_BASE_MS,
      maxMs: config.RETRY_MAX_MS,
      unreachableWaitMs: config.UNREACHABLE_RETRY_MS,
    },
  };
}

function recordCurrentPrompt(options: LoopContext, inFlight: Set<InFlight>) {
  const [first] = inFlight;
  try {
    recordHeartbeat(
      options.db,
      options.workerId,
      first?.claim.prompt.id ?? null,
    );
  } catch (error) {
    options.log.warn({ err: error }, "heartbeat failed");
  }
}

/** Records the heartbeat and keeps every in-flight lease alive. */
function beat(options: LoopContext, inFlight: Set<InFlight>) {
  const { db, config, workerId, log } = options;
  const running = [...inFlight];
  options.onHeartbeat?.();
  try {
    // LIMIT: the workers row holds one prompt; with several in flight it
    // shows the oldest, and the prompts' lease owner says the rest.
    recordHeartbeat(db, workerId, running[0]?.claim.prompt.id ?? null);
    for (const { claim, controller } of running) {
      if (extendLease(db, claim, config.LEASE_MS)) continue;
      controller.abort(
        new StageInterrupt("lease_lost", "the lease was taken back"),
      );
    }
  } catch (error) {
    // The next beat tries again; the lease has many beats of slack.
    log.warn({ err: error }, "heartbeat failed");
  }
}
