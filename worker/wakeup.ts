import type { Db } from "../db/client";
import { watchCommits } from "../db/watch";

export type Wakeup = {
  /** Forget commits seen so far; call before looking for work. */
  reset(): void;
  /** Wake the loop now (a stage of this process finished). */
  wake(): void;
  /** Waits up to ms, or less if a commit or wake came since reset. */
  wait(ms: number, stopSignal: AbortSignal): Promise<void>;
  close(): void;
};

/**
 * Resolves an idle wait early when another process commits (a new prompt)
 * or a stage of this one finishes, so work starts at once.
 */
export function createWakeup(db: Db): Wakeup {
  let isDue = false;
  let resolveWait: (() => void) | null = null;
  const wake = () => {
    isDue = true;
    resolveWait?.();
  };
  const watch = watchCommits(db, wake);

  return {
    reset: () => (isDue = false),
    wake,
    close: () => watch.close(),
    wait(ms, stopSignal) {
      if (isDue || stopSignal.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          stopSignal.removeEventListener("abort", done);
          resolveWait = null;
          resolve();
        };
        const timer = setTimeout(done, ms);
        stopSignal.addEventListener("abort", done, { once: true });
        resolveWait = done;
      });
    },
  };
}
