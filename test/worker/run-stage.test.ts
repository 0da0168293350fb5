import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimNextPrompt, recordWriting, type Claim } from "@/db/claims";
import type { Db } from "@/db/client";
import { createPrompt, getPrompt } from "@/db/prompts";
import type { Logger } from "@/lib/log";
import type { PromptType } from "@/lib/prompt-types";
import { offlineWriter } from "@/worker/offline-writer";
import { runClaimedStage } from "@/worker/run-stage";
import { StageInterrupt } from "@/worker/stage-failure";
import type { Writer } from "@/worker/write-stage";
import { makeTestDb, type Workspace } from "../helpers/workspace";

/** A writer that waits until its stage is aborted. */
const stuckWriter: Writer = {
  ...offlineWriter,
  writeText: (_input, signal) =>
    new Promise((_resolve, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason)),
    ),
};

const retry = {
  maxAttempts: 5,
  baseMs: 2000,
  maxMs: 300_000,
  unreachableWaitMs: 5000,
};

describe("runClaimedStage", () => {
  let db: Db;
  let workspace: Workspace;
  let close: () => void;
  let lines: Record<string, unknown>[];
  let log: Logger;
  beforeEach(() => {
    ({ db, workspace, close } = makeTestDb());
    lines = [];
    const sink = { write: (line: string) => lines.push(JSON.parse(line)) };
    log = pino({ level: "debug" }, sink) as unknown as Logger;
  });
  afterEach(() => close());

  const claimNew = (type: PromptType, text: string): Claim => {
    createPrompt(db, { type, text, priority: 0 });
    return claimNextPrompt(db, { workerId: "w1", leaseMs: 60_000 })!;
  };
  const run = (claim: Claim, signal: AbortSignal, writer?: Writer) =>
    runClaimedStage(
      { db, log, writer, artifactsDir: workspace.artifactsDir, retry },
      claim,
      signal,
    );

  it("logs one summary line per stage, without the prompt text", async () => {
    const claim = claimNew("poem", "a secret about my neighbour");

    const outcome = await run(claim, new AbortController().signal);

    expect(outcome).toBe("completed");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: "stage finished",
      promptId: claim.prompt.id,
      stage: "write",
      outcome: "completed",
      durationMs: expect.any(Number),
    });
    expect(JSON.stringify(lines)).not.toContain("neighbour");
  });

  it("fails a prompt whose spec is broken, with a readable reason", async () => {
    const write = claimNew("image_prompt", "a lighthouse");
    recordWriting(db, write, { format: "json", content: "{", backend: "t" });
    const render = claimNextPrompt(db, { workerId: "w1", leaseMs: 60_000 })!;

    const outcome = await run(render, new AbortController().signal);

    expect(outcome).toBe("failed");
    expect(getPrompt(db, render.prompt.id)).toMatchObject({
      status: "failed",
      artifactStatus: "failed",
      lastError: expect.stringMatching(
        /^permanent: the image spec is not valid JSON/,
      ),
      leaseToken: null,
    });
  });

  it("fails on an unexpected error and logs it once", async () => {
    const writer: Writer = {
      ...offlineWriter,
      writeText: async () => {
        throw new Error("the model fell over");
      },
    };
    const claim = claimNew("poem", "rain");

    const outcome = await run(claim, new AbortController().signal, writer);

    expect(outcome).toBe("failed");
    expect(getPrompt(db, claim.prompt.id)!.lastError).toBe(
      "permanent: writing failed: the model fell over",
    );
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
  });

  it("gives the prompt back, uncounted, when shutdown aborts it", async () => {
    const claim = claimNew("poem", "rain");
    const controller = new AbortController();

    const running = run(claim, controller.signal, stuckWriter);
    controller.abort(new StageInterrupt("shutdown", "the worker stopped"));

    expect(await running).toBe("released");
    expect(getPrompt(db, claim.prompt.id)).toMatchObject({
      status: "unprocessed",
      attempts: 0,
      leaseToken: null,
    });
  });

  it("retries a stage that runs past its timeout, as transient", async () => {
    const claim = claimNew("poem", "rain");
    const controller = new AbortController();

    const running = run(claim, controller.signal, stuckWriter);
    controller.abort(new StageInterrupt("timeout", "took longer than 5 ms"));

    expect(await running).toBe("retrying");
    expect(getPrompt(db, claim.prompt.id)).toMatchObject({
      status: "unprocessed",
      attempts: 1,
      lastError: "transient: took longer than 5 ms",
      runAfter: expect.any(Date),
    });
  });

  it("drops the result and leaves the prompt alone when the lease is lost", async () => {
    const claim = claimNew("poem", "rain");
    const stale = { ...claim, leaseToken: "stale" };

    const outcome = await run(stale, new AbortController().signal);

    expect(outcome).toBe("lease_lost");
    expect(getPrompt(db, claim.prompt.id)).toMatchObject({
      status: "processing",
      outputReference: null,
      leaseToken: claim.leaseToken,
    });
    expect(lines.some((l) => l.level === 40)).toBe(true);
  });
});
