import { describe, expect, it } from "vitest";
import { retryDelayMs } from "@/worker/retry-delay";

describe("retryDelayMs", () => {
  const policy = { baseMs: 2000, maxMs: 300_000 };

  it("doubles its ceiling with every attempt", () => {
    const nearlyOne = () => 0.999999;

    const delays = [1, 2, 3, 4].map((n) => retryDelayMs(n, policy, nearlyOne));

    expect(delays).toEqual([1999, 3999, 7999, 15_999]);
  });

  it("waits a random time from zero up to the ceiling (full jitter)", () => {
    expect(retryDelayMs(3, policy, () => 0)).toBe(0);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(4000);
    for (let i = 0; i < 100; i++) {
      const delayMs = retryDelayMs(3, policy);
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThan(8000);
    }
  });

  it("never waits past the cap", () => {
    expect(retryDelayMs(30, policy, () => 0.999999)).toBe(299_999);
  });
});
