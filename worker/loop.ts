import {
  claimPrompts,
  extendLease,
  hasWaitingPrompt,
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
 * The options and what the loop started from them. `writeHold`: once stage
 * 1 found its model server unreachable, no writing is claimed, not even the
 * waiting prompt's, until the server answers a check made without a claim
 * (one per UNREACHABLE_RETRY_MS): a down server costs one wait per outage in
 * a timeline, not one per queued prompt nor two events per retry. (Stage 2
 * needs no hold: an unreachable ComfyUI server is left out of its claims.)
 */
type LoopContext = WorkerLoopOptions & {
  comfy: ComfyBackend | null;
  recordWriting: RecordWriting;
  writeHold: WriteHold;
};

type WriteHold = {
  isDown: boolean;
  /** When the next check that the server answers is due. */
  nextCheckMs: number;
  /** The check in flight, if any. */
  check: Promise<void> | null;
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
    // A worker started during an outage checks before claiming the prompt
    // already waiting, rather than add a wait to its timeline.
    writeHold: {
      isDown:
        !!loopOptions.writer?.isReachable &&
        hasWaitingPrompt(loopOptions.db, "write"),
      nextCheckMs: 0,
      check: null,
    },
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
      const isIdle = claimed === 0 && inFlight.size === 0;
      if (options.once && isIdle && hasChecked(options.writeHold)) break;
      await wakeup.wait(config.WORKER_IDLE_MS, stopSignal);
    }
  } finally {
    await Promise.all([...inFlight].map((running) => running.done));
    await options.writeHold.check;
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

  const isWriteHeld = isWriteStillHeld(options, wakeup);
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

/**
 * Whether writing is held for a model server that is down; starts the
 * check that it answers again when one is due, and wakes the loop when it
 * does. A writer that cannot be checked is simply tried again.
 */
function isWriteStillHeld(options: LoopContext, wakeup: Wakeup): boolean {
  const hold = options.writeHold;
  if (!hold.isDown) return false;
  if (hold.check || Date.now() < hold.nextCheckMs) return true;
  // --once checks only a hold it started with, then drains and exits.
  if (options.once && hold.nextCheckMs > 0) return true;

  const { writer, stopSignal, config, log } = options;
  if (!writer?.isReachable) {
    hold.isDown = false;
    return false;
  }
  hold.check = writer
    .isReachable(stopSignal)
    .catch((error: unknown) => {
      log.warn({ err: error }, "checking the model server failed");
      return false;
    })
    .then((isUp) => {
      hold.check = null;
      if (isUp) {
        hold.isDown = false;
        log.info("the model server answers again; writing resumes");
        wakeup.wake();
      } else {
        hold.nextCheckMs = Date.now() + config.UNREACHABLE_RETRY_MS;
      }
    });
  return true;
}

/**
 * Whether a hold is settled for --once: no check in flight, and one that
 * started held has checked once (nextCheckMs is 0 until then).
 */
function hasChecked(hold: WriteHold): boolean {
  return !hold.check && !(hold.isDown && hold.nextCheckMs === 0);
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
      options.writeHold.isDown = true;
      options.writeHold.nextCheckMs = Date.now() + config.UNREACHABLE_RETRY_MS;
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

/**
 * The heartbeat, naming the prompt the worker is on. LIMIT: the workers row
 * holds one prompt; with several in flight it shows the oldest, and the
 * prompts' lease owner says the rest.
 */
function recordCurrentPrompt(options: LoopContext, inFlight: Set<InFlight>) {
  const [first] = inFlight;
  try {
    recordHeartbeat(
      options.db,
      options.workerId,
      first?.claim.prompt.id ?? null,
    );
  } catch (error) {
    // The next beat tries again.
    options.log.warn({ err: error }, "heartbeat failed");
  }
}

/** Records the heartbeat and keeps every in-flight lease alive. */
function beat(options: LoopContext, inFlight: Set<InFlight>) {
  const { db, config, log } = options;
  options.onHeartbeat?.();
  recordCurrentPrompt(options, inFlight);
  try {
    for (const { claim, controller } of inFlight) {
      if (extendLease(db, claim, config.LEASE_MS)) continue;
      controller.abort(
        new StageInterrupt("lease_lost", "the lease was taken back"),
      );
    }
  } catch (error) {
    // The next beat tries again; the lease has many beats of slack.
    log.warn({ err: error }, "extending leases failed");
  }
}
