import { reportProgress, type Claim } from "../db/claims";
import type { Db } from "../db/client";
import { BackendError, isBackendError } from "../lib/errors";
import type { Logger } from "../lib/log";
import type { ComfyClient } from "./comfyui-client";

type FollowContext = {
  db: Db;
  claim: Claim;
  client: ComfyClient;
  signal: AbortSignal;
  log: Logger;
};

/**
 * History answers {} both while a job runs and for a job ComfyUI lost (it
 * restarted): a job missing from the queue too, this many checks in a row,
 * is lost. One miss alone can be the moment between queue and history.
 */
const lostAfterChecks = 3;
/** Checks that may fail to connect before the server counts as down. */
const downAfterChecks = 5;
/** At most this often a progress write: a few a second. */
const progressIntervalMs = 250;

/**
 * Follows a queued or running job until ComfyUI has its history entry:
 * the socket forwards progress and hints at the end, and history and queue
 * are polled every pollMs regardless, since the socket can go silent.
 */
export async function followJob(
  context: FollowContext,
  jobId: string,
  pollMs: number,
): Promise<unknown> {
  const { client, signal } = context;
  const pause = createPause(signal);
  const onProgress = progressReporter(context);
  const unwatch = client.socket().watch(jobId, (event) => {
    if (event.type === "progress") onProgress(event.percent);
    else pause.wake();
  });

  try {
    let misses = 0;
    let failedConnections = 0;
    for (;;) {
      signal.throwIfAborted();
      try {
        const entry = await client.history(jobId, signal);
        if (entry) return entry;
        misses = (await client.isQueued(jobId, signal)) ? 0 : misses + 1;
        failedConnections = 0;
      } catch (error) {
        if (!isUnreachable(error) || ++failedConnections >= downAfterChecks) {
          throw error;
        }
      }
      if (misses >= lostAfterChecks) throw lostJob(jobId, client.url);
      await pause.wait(pollMs);
    }
  } finally {
    unwatch();
  }
}

function isUnreachable(error: unknown) {
  return isBackendError(error) && error.kind === "unreachable";
}

function lostJob(jobId: string, url: string) {
  return new BackendError(
    "transient",
    `ComfyUI lost the prompt ${jobId}: ${url} has it neither queued nor ` +
      `in its history after ${lostAfterChecks} checks (did it restart?)`,
  );
}

/** Writes whole percents as they rise, at most a few times a second. */
function progressReporter(context: FollowContext) {
  let last = 0;
  let lastAt = 0;
  return (percent: number) => {
    // 100 is for the recorded result; a finished sampler is not a result.
    const whole = Math.min(99, Math.floor(percent));
    const now = Date.now();
    if (whole <= last || now - lastAt < progressIntervalMs) return;
    last = whole;
    lastAt = now;
    try {
      reportProgress(context.db, context.claim, whole);
    } catch (error) {
      context.log.warn({ err: error }, "cannot record progress");
    }
  };
}

/** A sleep that a socket hint or the stage's abort ends early. */
function createPause(signal: AbortSignal) {
  let wake: (() => void) | null = null;
  let isHinted = false;
  return {
    wake() {
      isHinted = true;
      wake?.();
    },
    wait(ms: number): Promise<void> {
      if (isHinted) {
        isHinted = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          wake = null;
          isHinted = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener("abort", done, { once: true });
        wake = done;
      });
    },
  };
}
