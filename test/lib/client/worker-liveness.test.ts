import { describe, expect, it } from "vitest";
import { workerLivenessOf } from "@/lib/client/worker-liveness";

const nowMs = Date.parse("2025-01-01T12:00:00.000Z");
const beatAgo = (seconds: number) =>
  new Date(nowMs - seconds * 1000).toISOString();

describe("workerLivenessOf", () => {
  it("calls a worker alive up to 30 s after its heartbeat", () => {
    const worker = { lastHeartbeatAt: beatAgo(30), stoppedAt: null };

    expect(workerLivenessOf(worker, nowMs)).toEqual({
      state: "alive",
      ageMs: 30_000,
    });
  });

  it("calls a worker late once its heartbeat is older than 30 s", () => {
    const worker = { lastHeartbeatAt: beatAgo(31), stoppedAt: null };

    expect(workerLivenessOf(worker, nowMs).state).toBe("late");
  });

  it("calls a worker lost after two minutes of silence", () => {
    const worker = { lastHeartbeatAt: beatAgo(121) };

    expect(workerLivenessOf(worker, nowMs).state).toBe("lost");
  });

  it("reports a worker that said it stopped, however recent", () => {
    const worker = { lastHeartbeatAt: beatAgo(2), stoppedAt: beatAgo(1) };

    expect(workerLivenessOf(worker, nowMs).state).toBe("stopped");
  });

  it("calls a worker whose process the server found gone dead, however recent its heartbeat", () => {
    const worker = { lastHeartbeatAt: beatAgo(1), processGone: true };

    expect(workerLivenessOf(worker, nowMs)).toEqual({
      state: "gone",
      ageMs: 1000,
    });
  });

  it("reports no worker when none has registered", () => {
    expect(workerLivenessOf(null, nowMs)).toEqual({ state: "none" });
  });

  it("treats a heartbeat from the future as just now", () => {
    const worker = { lastHeartbeatAt: beatAgo(-5) };

    expect(workerLivenessOf(worker, nowMs)).toEqual({
      state: "alive",
      ageMs: 0,
    });
  });
});
