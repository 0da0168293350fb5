export type RetryPolicy = {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  /** How long a prompt whose backend is unreachable waits to try again. */
  unreachableWaitMs: number;
};

/**
 * Exponential backoff with full jitter: a random wait from 0 up to
 * baseMs · 2^(attempt−1), capped at maxMs, so that prompts failing together
 * do not all come back together.
 */
export function retryDelayMs(
  attempt: number,
  policy: Pick<RetryPolicy, "baseMs" | "maxMs">,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  const ceilingMs = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceilingMs);
}
