import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import {
  claimNextPrompt,
  extendLease,
  recordArtifacts,
  recordWriting,
} from "@/db/claims";
import { createPrompt, getPromptDetail } from "@/db/prompts";
import { releaseClaim } from "@/db/stage-failures";
import { makeTestDb } from "../helpers/workspace";

describe("claims", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  const claim = (now?: Date) =>
    claimNextPrompt(db, { workerId: "w1", leaseMs: 30_000, now });

  it("returns null when nothing is ready", () => {
    expect(claim()).toBeNull();
  });

  it("claims by priority, then oldest first, with a fresh lease", () => {
    const low = createPrompt(db, { type: "poem", text: "low", priority: 0 });
    const high = createPrompt(db, { type: "poem", text: "high", priority: 5 });
    const now = new Date("2026-03-01T10:00:00Z");

    const first = claim(now)!;
    const second = claim(now)!;

    expect(first.prompt.id).toBe(high.id);
    expect(second.prompt.id).toBe(low.id);
    expect(first.leaseToken).not.toBe(second.leaseToken);
    expect(first.prompt).toMatchObject({
      status: "processing",
      leaseOwner: "w1",
      attempts: 1,
      leaseExpiresAt: new Date(now.getTime() + 30_000),
    });
  });

  it("starts stage two of a media prompt before any new stage one", () => {
    createPrompt(db, {
      type: "image_prompt",
      text: "a lighthouse",
      priority: 0,
    });
    const write = claim()!;
    createPrompt(db, { type: "poem", text: "waiting", priority: 9 });
    recordWriting(db, write, { format: "json", content: "{}", backend: "t" });

    const next = claim()!;

    expect(next.stage).toBe("render");
    expect(next.prompt).toMatchObject({
      id: write.prompt.id,
      artifactStatus: "processing",
    });
  });

  it("commits artifacts together with the ready status", () => {
    createPrompt(db, {
      type: "lyrics_prompt",
      text: "a folk song",
      priority: 0,
    });
    recordWriting(db, claim()!, {
      format: "json",
      content: "{}",
      backend: "t",
    });
    const render = claim()!;

    const prompt = recordArtifacts(db, render, [
      {
        kind: "audio",
        mimeType: "audio/wav",
        fileName: "x.wav",
        sizeBytes: 10,
        sha256: "ab",
        durationMs: 1000,
        backend: "t",
      },
    ]);

    expect(prompt).toMatchObject({
      status: "completed",
      artifactStatus: "ready",
    });
    const detail = getPromptDetail(db, prompt.id)!;
    expect(detail.artifacts).toHaveLength(1);
    expect(detail.events.map((e) => e.reason)).toEqual([
      "submitted",
      "writing started",
      "spec written",
      "rendering started",
      "rendering finished",
    ]);
  });

  it("gives a prompt back without counting the attempt", () => {
    createPrompt(db, { type: "story", text: "a heist", priority: 0 });
    const held = claim()!;

    const released = releaseClaim(db, held, "worker shutting down");

    expect(released).toMatchObject({
      status: "unprocessed",
      attempts: 0,
      leaseToken: null,
    });
    expect(extendLease(db, held, 1000)).toBe(false);
  });

  it("takes back a prompt whose lease expired, keeping the attempt", () => {
    createPrompt(db, {
      type: "image_prompt",
      text: "a lighthouse",
      priority: 0,
    });
    const start = new Date("2026-03-01T10:00:00Z");
    recordWriting(db, claim(start)!, {
      format: "json",
      content: "{}",
      backend: "t",
    });
    const crashed = claim(start)!;
    const afterExpiry = new Date(start.getTime() + 30_001);

    const next = claim(afterExpiry)!;

    expect(next).toMatchObject({
      stage: "render",
      prompt: { id: crashed.prompt.id },
    });
    expect(next.prompt.attempts).toBe(2);
    const reasons = getPromptDetail(db, crashed.prompt.id)!.events.map(
      (e) => e.reason,
    );
    expect(reasons.slice(-2)).toEqual(["lease expired", "rendering started"]);
    expect(() => recordArtifacts(db, crashed, [])).toThrow(
      expect.objectContaining({ code: "lease_lost" }),
    );
  });

  it("fails a prompt whose lease expires on its last attempt", () => {
    const created = createPrompt(db, {
      type: "poem",
      text: "rain",
      priority: 0,
    });
    const options = { workerId: "w1", leaseMs: 1000, maxAttempts: 2 };
    let now = new Date("2026-03-01T10:00:00Z");
    const later = () => (now = new Date(now.getTime() + 1001));

    claimNextPrompt(db, { ...options, now });
    const second = claimNextPrompt(db, { ...options, now: later() });
    const third = claimNextPrompt(db, { ...options, now: later() });

    expect(second?.prompt.attempts).toBe(2);
    expect(third).toBeNull();
    const detail = getPromptDetail(db, created.id)!;
    expect(detail.prompt).toMatchObject({
      status: "failed",
      leaseToken: null,
      lastError: expect.stringMatching(
        /stopped renewing the lease on each of 2/,
      ),
    });
    expect(detail.events.map((e) => e.reason).slice(-2)).toEqual([
      "writing started",
      "lease expired",
    ]);
  });

  it("leaves a lease that has not expired alone", () => {
    createPrompt(db, { type: "poem", text: "rain", priority: 0 });
    const start = new Date("2026-03-01T10:00:00Z");
    claim(start);

    expect(claim(new Date(start.getTime() + 29_999))).toBeNull();
  });

  it("claims only the stage asked for", () => {
    createPrompt(db, { type: "poem", text: "rain", priority: 0 });
    const options = { workerId: "w1", leaseMs: 30_000 };

    expect(claimNextPrompt(db, { ...options, stage: "render" })).toBeNull();
    expect(claimNextPrompt(db, { ...options, stage: "write" })).toMatchObject({
      stage: "write",
    });
  });
});
