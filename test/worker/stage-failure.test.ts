import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimNextPrompt, type Claim } from "@/db/claims";
import type { Db } from "@/db/client";
import { createPrompt, getPrompt, getPromptDetail } from "@/db/prompts";
import type { FailureKind } from "@/lib/errors";
import type { Logger } from "@/lib/log";
import { runClaimedStage } from "@/worker/run-stage";
import type { Writer } from "@/worker/write-stage";
import { failingWriter } from "../helpers/failing-writer";
import { makeTestDb, type Workspace } from "../helpers/workspace";

const retry = {
  maxAttempts: 5,
  baseMs: 2000,
  maxMs: 300_000,
  unreachableWaitMs: 5000,
};
const start = new Date("2026-03-01T10:00:00Z");
const later = (ms: number) => new Date(start.getTime() + ms);

describe("settling a failed stage by its kind", () => {
  let db: Db;
  let workspace: Workspace;
  let close: () => void;
  const log = pino({ level: "silent" }) as unknown as Logger;
  beforeEach(() => ({ db, workspace, close } = makeTestDb()));
  afterEach(() => close());

  const addPoem = () =>
    createPrompt(db, { type: "poem", text: "rain", priority: 0 }).id;
  const claimAt = (now: Date, workerId = "w1") =>
    claimNextPrompt(db, { workerId, leaseMs: 60_000, now });
  const runAt = (now: Date, claim: Claim, writer: Writer, random = 0.75) =>
    runClaimedStage(
      {
        db,
        log,
        writer,
        artifactsDir: workspace.artifactsDir,
        retry,
        now: () => now,
        random: () => random,
      },
      claim,
      new AbortController().signal,
    );

  it("retries a transient failure with growing backoff, then fails with the last error", async () => {
    const id = addPoem();
    const writer = failingWriter(Array(5).fill("transient"));
    let now = start;
    const waitsMs: number[] = [];

    for (let attempt = 1; attempt <= 4; attempt++) {
      const outcome = await runAt(now, claimAt(now)!, writer);

      const prompt = getPrompt(db, id)!;
      const waitMs = prompt.runAfter!.getTime() - now.getTime();
      expect(outcome).toBe("retrying");
      expect(prompt).toMatchObject({
        status: "unprocessed",
        attempts: attempt,
      });
      expect(prompt.lastError).toBe("transient: the model server answered 503");
      expect(waitMs).toBeGreaterThanOrEqual(0);
      expect(waitMs).toBeLessThan(2000 * 2 ** (attempt - 1));
      expect(claimAt(new Date(prompt.runAfter!.getTime() - 1))).toBeNull();
      waitsMs.push(waitMs);
      now = prompt.runAfter!;
    }
    const outcome = await runAt(now, claimAt(now)!, writer);

    expect(waitsMs).toEqual([1500, 3000, 6000, 12_000]);
    expect(outcome).toBe("failed");
    expect(getPrompt(db, id)).toMatchObject({
      status: "failed",
      attempts: 5,
      lastError: "transient: the model server answered 503",
      leaseToken: null,
    });
    const events = getPromptDetail(db, id)!.events;
    const retries = events.filter((e) => e.reason === "retry scheduled");
    expect(retries).toHaveLength(4);
    expect(retries[0].detail).toBe(
      "attempt 1 of 5 failed; next try at 2026-03-01T10:00:01.500Z " +
        "(in 1500 ms): transient: the model server answered 503",
    );
  });

  it("fails a permanent failure at once, after one attempt", async () => {
    const id = addPoem();

    const outcome = await runAt(
      start,
      claimAt(start)!,
      failingWriter(["permanent"]),
    );

    expect(outcome).toBe("failed");
    expect(getPrompt(db, id)).toMatchObject({
      status: "failed",
      attempts: 1,
      runAfter: null,
      lastError: "permanent: the model server rejected the request as invalid",
    });
  });

  it("waits for an unreachable backend without counting an attempt, then clears the wait when it runs", async () => {
    const id = addPoem();
    const writer = failingWriter(["unreachable"]);

    const outcome = await runAt(start, claimAt(start)!, writer);

    expect(outcome).toBe("waiting");
    const waiting = getPrompt(db, id)!;
    expect(waiting).toMatchObject({
      status: "unprocessed",
      attempts: 0,
      runAfter: later(5000),
      waitingReason: "unreachable: connection refused by 127.0.0.1:11434",
    });
    expect(claimAt(later(4999))).toBeNull();

    const again = claimAt(later(5000))!;
    expect(again.prompt).toMatchObject({ attempts: 1, waitingReason: null });
    expect(await runAt(later(5000), again, writer)).toBe("completed");
    expect(getPrompt(db, id)).toMatchObject({
      status: "completed",
      waitingReason: null,
      lastError: null,
    });
    const reasons = getPromptDetail(db, id)!.events.map((e) => e.reason);
    expect(reasons).toContain("waiting for backend");
  });

  it.each<FailureKind>(["transient", "permanent", "unreachable"])(
    "changes nothing when a %s failure comes from a worker whose lease was taken",
    async (kind) => {
      const id = addPoem();
      const stale = claimAt(start, "w1")!;
      const current = claimAt(later(60_001), "w2")!;
      const before = getPrompt(db, id)!;

      const outcome = await runAt(later(60_002), stale, failingWriter([kind]));

      expect(outcome).toBe("lease_lost");
      expect(getPrompt(db, id)).toEqual(before);
      expect(before).toMatchObject({
        status: "processing",
        leaseToken: current.leaseToken,
        attempts: 2,
      });
    },
  );
});
