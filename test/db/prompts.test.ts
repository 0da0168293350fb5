import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { claimNextPrompt, extendLease, recordWriting } from "@/db/claims";
import { failStage } from "@/db/stage-failures";
import { listStuckPrompts } from "@/db/admin";
import { listGalleryItems } from "@/db/gallery";
import {
  cancelPrompt,
  countPrompts,
  createPrompt,
  getPrompt,
  getPromptDetail,
  listPrompts,
  promptPageQuery,
  requeuePrompt,
  type PromptFilter,
} from "@/db/prompts";
import type { PromptType } from "@/lib/prompt-types";
import { planProblems, queryPlanOf } from "../helpers/query-plan";
import { makeTestDb } from "../helpers/workspace";

describe("prompt queries", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  const add = (type: PromptType = "poem", text = "rain on a tin roof") =>
    createPrompt(db, { type, text, priority: 0 });
  const claim = () => claimNextPrompt(db, { workerId: "w", leaseMs: 60_000 })!;

  it("creates an unprocessed prompt with its submitted event", () => {
    const prompt = add("haiku", "first frost");

    const detail = getPromptDetail(db, prompt.id)!;

    expect(detail.prompt).toMatchObject({
      status: "unprocessed",
      artifactStatus: null,
    });
    expect(detail.events).toHaveLength(1);
    expect(detail.events[0]).toMatchObject({
      toStatus: "unprocessed",
      reason: "submitted",
    });
    expect(detail.prompt.lastEventId).toBe(detail.events[0].id);
  });

  it("pages newest first with a keyset cursor, without gaps or repeats", () => {
    const ids = Array.from({ length: 7 }, (_, i) => add("poem", `p${i}`).id);

    const seen: number[] = [];
    let cursor: number | undefined;
    for (;;) {
      const page = listPrompts(db, { limit: 3, beforeId: cursor });
      seen.push(...page.items.map((p) => p.id));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }

    expect(seen).toEqual([...ids].reverse());
  });

  it("filters by status, artifact status and type", () => {
    add("poem");
    const image = add("image_prompt", "a lighthouse at dusk");
    recordWriting(db, claim(), { format: "json", content: "{}", backend: "t" });

    expect(
      listPrompts(db, { type: "image_prompt", limit: 10 }).items.map(
        (p) => p.id,
      ),
    ).toEqual([image.id]);
    expect(
      listPrompts(db, { artifactStatus: "pending", limit: 10 }).items,
    ).toHaveLength(1);
    expect(
      listPrompts(db, { status: "unprocessed", limit: 10 }).items,
    ).toHaveLength(1);
  });

  it("requeues a processing prompt to the start of its stage and drops its lease", () => {
    const prompt = add();
    const held = claim();

    const requeued = requeuePrompt(db, prompt.id);

    expect(requeued).toMatchObject({
      status: "unprocessed",
      leaseToken: null,
      leaseOwner: null,
    });
    expect(() =>
      recordWriting(db, held, { format: "text", content: "x", backend: "t" }),
    ).toThrow(expect.objectContaining({ code: "lease_lost" }));
  });

  it("requeues a failed render back to pending rendering", () => {
    add("image_prompt", "a lighthouse at dusk");
    recordWriting(db, claim(), { format: "json", content: "{}", backend: "t" });
    const render = claim();
    failStage(db, render, "renderer crashed");

    const requeued = requeuePrompt(db, render.prompt.id);

    expect(render.prompt.attempts).toBe(1);
    expect(requeued).toMatchObject({
      status: "completed",
      artifactStatus: "pending",
      lastError: null,
      attempts: 0,
    });
    const events = getPromptDetail(db, render.prompt.id)!.events;
    expect(events.at(-1)).toMatchObject({
      reason: "requeued",
      detail: "renderer crashed",
    });
  });

  it("refuses to requeue a queued or finished prompt", () => {
    const done = add("haiku");
    const queued = add();
    recordWriting(db, claim(), { format: "text", content: "x", backend: "t" });

    expect(() => requeuePrompt(db, queued.id)).toThrow(/already queued/);
    expect(() => requeuePrompt(db, done.id)).toThrow(/already finished/);
    expect(() => requeuePrompt(db, 12345)).toThrow(
      expect.objectContaining({ code: "not_found" }),
    );
  });

  it("counts by status, artifact status and type", () => {
    add("poem");
    add("poem");
    add("image_prompt", "a lighthouse at dusk");
    recordWriting(db, claim(), { format: "text", content: "x", backend: "t" });

    expect(countPrompts(db)).toEqual({
      byStatus: { unprocessed: 2, completed: 1 },
      byArtifactStatus: {},
      byType: { poem: 2, image_prompt: 1 },
    });
  });

  it("lists finished work in the gallery with its writing", () => {
    add("poem", "first");
    const second = add("poem", "second");
    recordWriting(db, claim(), {
      format: "text",
      content: "lines",
      backend: "t",
    });

    const page = listGalleryItems(db, { limit: 10 });

    expect(page.items.map((i) => i.prompt.text)).toEqual(["first"]);
    expect(page.items[0].writing?.content).toBe("lines");
    expect(second.status).toBe("unprocessed");
  });

  it("lists prompts processing past the threshold as stuck, and not fresh ones", () => {
    add();
    const started = new Date("2026-01-01T00:00:00Z");
    claimNextPrompt(db, { workerId: "w", leaseMs: 60 * 60_000, now: started });

    const soon = listStuckPrompts(db, {
      thresholdMs: 60_000,
      now: new Date(started.getTime() + 1000),
    });
    const later = listStuckPrompts(db, {
      thresholdMs: 60_000,
      now: new Date(started.getTime() + 120_000),
    });

    expect(soon).toEqual([]);
    expect(later.map((s) => s.rule)).toEqual(["processing_too_long"]);
  });
  it("cancels queued, running and render-waiting prompts, and nothing finished", () => {
    const queued = add();
    const running = add("story");
    const media = add("image_prompt", "a lighthouse at dusk");
    const held = claimNextPrompt(db, {
      workerId: "w",
      leaseMs: 60_000,
      stage: "write",
    })!;

    const cancelled = [queued, running, media].map((p) =>
      cancelPrompt(db, p.id),
    );

    expect(cancelled.map((p) => p.status)).toEqual([
      "cancelled",
      "cancelled",
      "cancelled",
    ]);
    expect(getPrompt(db, held.prompt.id)).toMatchObject({
      leaseToken: null,
      leaseOwner: null,
    });
    expect(extendLease(db, held, 1000)).toBe(false);
    expect(() => cancelPrompt(db, queued.id)).toThrow(
      /is cancelled; only a prompt that is queued or running can be cancelled/,
    );
    expect(() => cancelPrompt(db, 9999)).toThrow(/not found/);
    expect(getPromptDetail(db, queued.id)!.events.at(-1)).toMatchObject({
      toStatus: "cancelled",
      reason: "cancelled",
    });
  });

  it("reads every page of the queue list through an index, already in order", () => {
    // Poets never runs ANALYZE, so this is the plan it gets.
    for (let i = 0; i < 20; i++) add(i % 2 ? "poem" : "image_prompt");
    const filters: Omit<PromptFilter, "limit">[] = [
      {},
      { status: "completed" },
      { artifactStatus: "ready" },
      { artifactStatus: "pending" },
      { type: "image_prompt" },
      { status: "failed", artifactStatus: "failed" },
      { status: "completed", type: "poem" },
      { artifactStatus: "ready", type: "image_prompt" },
    ];

    for (const filter of filters) {
      for (const beforeId of [undefined, 10]) {
        const query = promptPageQuery(db, { ...filter, beforeId, limit: 50 })!;
        const plan = queryPlanOf(db, query);

        expect(planProblems(plan), JSON.stringify({ filter, plan })).toEqual(
          [],
        );
      }
    }
  });
});
