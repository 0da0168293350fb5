import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * Lets timers and I/O run between chunks of CPU-bound rendering (so the
 * heartbeat keeps the lease), then stops if the stage was aborted.
 */
export async function yieldToEventLoop(signal: AbortSignal): Promise<void> {
  await nextTurn();
  signal.throwIfAborted();
}
