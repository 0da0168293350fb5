import { claimNextPrompt, extendLease, type Claim } from "../db/claims";
import type { Db } from "../db/client";
import { watchCommits } from "../db/watch";
import { recordHeartbeat } from "../db/workers";
import type { Config } from "../lib/config";
import type { Logger } from "../lib/log";
import { runClaimedStage } from "./run-stage";
import { StageInterrupt } from "./stage-failure";
import type { Writer } from "./write-stage";

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
};

type InFlight = { claim: Claim; controller: AbortController };

/** Claims and runs stages until stopped (or, with once, until idle). */
export async function runWorkerLoop(options: WorkerLoopOptions): Promise<void> {
  const { db, config, stopSignal } = options;
  const state: { inFlight: InFlight | null } = { inFlight: null };
  const wakeup = createWakeup(db);
  const heartbeat = setInterval(
    () => beat(options, state.inFlight),
    config.HEARTBEAT_MS,
  );

  try {
    while (!stopSignal.aborted) {
      wakeup.reset();
      const claim = tryClaim(options);
      if (!claim) {
        if (options.once && claim === null) break;
        await wakeup.wait(config.WORKER_IDLE_MS, stopSignal);
        continue;
      }
      state.inFlight = { claim, controller: new AbortController() };
      beat(options, state.inFlight);
      await runGuarded(options, state.inFlight);
      state.inFlight = null;
    }
  } finally {
    clearInterval(heartbeat);
    wakeup.close();
  }
}

/**
 * The next claim, null when nothing is ready, or undefined when claiming
 * failed (say, the database stayed locked past its busy timeout); the loop
 * waits and tries again rather than exit over something passing.
 */
function tryClaim(options: WorkerLoopOptions): Claim | null | undefined {
  const { db, config, workerId, log, once } = options;
  try {
    return claimNextPrompt(db, { workerId, leaseMs: config.LEASE_MS });
  } catch (error) {
    if (once) throw error;
    log.error({ err: error }, "claiming failed; trying again");
    return undefined;
  }
}

/** Runs one stage under its timeout and the shutdown grace period. */
async function runGuarded(options: WorkerLoopOptions, inFlight: InFlight) {
  const { config, stopSignal } = options;
  const { claim, controller } = inFlight;
  const abortWith = (why: StageInterrupt["why"], message: string) => () =>
    controller.abort(new StageInterrupt(why, message));
  const timeout = setTimeout(
    abortWith(
      "timeout",
      `the stage took longer than ${config.STAGE_TIMEOUT_MS} ms and was stopped`,
    ),
    config.STAGE_TIMEOUT_MS,
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
    const context = {
      ...options,
      artifactsDir: config.artifactsDir,
      builtinDelayMs: config.BUILTIN_DELAY_MS,
      retry: {
        maxAttempts: config.MAX_ATTEMPTS,
        baseMs: config.RETRY_BASE_MS,
        maxMs: config.RETRY_MAX_MS,
        unreachableWaitMs: config.UNREACHABLE_RETRY_MS,
      },
    };
    await runClaimedStage(context, claim, controller.signal);
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

/** Records the heartbeat and keeps the in-flight lease alive. */
function beat(options: WorkerLoopOptions, inFlight: InFlight | null) {
  const { db, config, workerId, log } = options;
  try {
    recordHeartbeat(db, workerId, inFlight?.claim.prompt.id ?? null);
    if (inFlight && !extendLease(db, inFlight.claim, config.LEASE_MS)) {
      inFlight.controller.abort(
        new StageInterrupt("lease_lost", "the lease was taken back"),
      );
    }
  } catch (error) {
    // The next beat tries again; the lease has many beats of slack.
    log.warn({ err: error }, "heartbeat failed");
  }
}

/**
 * Resolves an idle wait early when another process commits (a new prompt),
 * so work submitted while the worker idles starts at once.
 */
function createWakeup(db: Db) {
  let hasCommit = false;
  let wake: (() => void) | null = null;
  const watch = watchCommits(db, () => {
    hasCommit = true;
    wake?.();
  });

  return {
    reset: () => (hasCommit = false),
    close: () => watch.close(),
    wait(ms: number, stopSignal: AbortSignal): Promise<void> {
      if (hasCommit || stopSignal.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          stopSignal.removeEventListener("abort", done);
          wake = null;
          resolve();
        };
        const timer = setTimeout(done, ms);
        stopSignal.addEventListener("abort", done, { once: true });
        wake = done;
      });
    },
  };
}
