import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyBulkAction, listStuckPrompts } from "@/db/admin";
import { claimNextPrompt, type Claim } from "@/db/claims";
import type { Db } from "@/db/client";
import { createPrompt, getPrompt, getPromptDetail } from "@/db/prompts";
import { failStage, waitForBackend } from "@/db/stage-failures";
import type { PromptType } from "@/lib/prompt-types";
import { makeTestDb } from "../helpers/workspace";

const t0 = new Date("2026-03-01T12:00:00Z").getTime();
const at = (ms: number) => new Date(t0 + ms);
const minute = 60_000;

describe("admin queries", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  const add = (type: PromptType = "poem") =>
    createPrompt(db, { type, text: "rain", priority: 0 }, at(0));
  const claim = (ms: number, leaseMs = 60 * minute): Claim =>
    claimNextPrompt(db, { workerId: "w", leaseMs, now: at(ms) })!;
  const waitAt = (c: Claim, ms: number) =>
    waitForBackend(db, c, {
      waitingReason: "the language model server does not answer",
      runAfter: at(ms + 5000),
      now: at(ms),
    });
  const eventCount = () =>
    (
      db.$client.prepare("SELECT count(*) AS n FROM prompt_events").get() as {
        n: number;
      }
    ).n;

  it("dates a wait from its first wait event, however often it retried", () => {
    add();
    waitAt(claim(0), 1000);
    for (let ms = 10 * minute; ms <= 30 * minute; ms += 10 * minute) {
      waitAt(claim(ms), ms + 1000);
    }

    const stuck = listStuckPrompts(db, {
      thresholdMs: 20 * minute,
      now: at(30 * minute + 2000),
    });
    const fresh = listStuckPrompts(db, {
      thresholdMs: 40 * minute,
      now: at(30 * minute + 2000),
    });

    expect(getPrompt(db, stuck[0].prompt.id)!.updatedAt).toEqual(
      at(30 * minute + 1000),
    );
    expect(stuck.map((s) => [s.rule, s.waitingSince])).toEqual([
      ["waiting_for_backend", at(1000)],
    ]);
    expect(fresh).toEqual([]);
  });

  it("starts a new wait after the prompt moved on in between", () => {
    const prompt = add();
    waitAt(claim(0), 1000);
    failStage(db, claim(7000), "permanent: broken", at(8000));
    applyBulkAction(db, { action: "retry", ids: [prompt.id], preview: false });
    waitAt(claim(40 * minute), 40 * minute + 1000);

    const stuck = listStuckPrompts(db, {
      thresholdMs: 30 * minute,
      now: at(50 * minute),
    });

    expect(stuck).toEqual([]);
  });

  it("lists a failure only while it has attempts left", () => {
    const early = add();
    const spent = add("story");
    failStage(db, claim(0), "permanent: no", at(1000));
    const last = claim(2000);
    db.$client
      .prepare("UPDATE prompts SET attempts = 5 WHERE id = ?")
      .run(spent.id);
    failStage(db, { ...last }, "transient: gave up", at(3000));

    const stuck = listStuckPrompts(db, {
      thresholdMs: minute,
      maxAttempts: 5,
      now: at(4000),
    });

    expect(stuck.map((s) => [s.prompt.id, s.rule])).toEqual([
      [early.id, "failed"],
    ]);
  });

  it("previews a bulk action exactly and changes nothing", () => {
    const running = add();
    const queued = add();
    claim(0);
    const events = eventCount();

    const preview = applyBulkAction(
      db,
      { action: "cancel", ids: [running.id, queued.id, 999], preview: true },
      at(1000),
    );

    expect(
      preview.map((r) => (r.ok ? [r.id, r.from, r.to] : [r.id, r.code])),
    ).toEqual([
      [running.id, "processing/-", "cancelled/-"],
      [queued.id, "unprocessed/-", "cancelled/-"],
      [999, "not_found"],
    ]);
    expect(eventCount()).toBe(events);
    expect(getPrompt(db, running.id)!.status).toBe("processing");
    expect(getPrompt(db, queued.id)!.status).toBe("unprocessed");
  });

  it("runs what it can and says why not for the rest, in one go", () => {
    const failed = add();
    const queued = add();
    failStage(db, claim(0), "permanent: no", at(1000));

    const results = applyBulkAction(
      db,
      { action: "retry", ids: [failed.id, queued.id], preview: false },
      at(2000),
    );

    expect(results[0]).toMatchObject({
      ok: true,
      from: "failed/-",
      to: "unprocessed/-",
    });
    expect(results[1]).toMatchObject({ ok: false, code: "conflict" });
    expect(getPrompt(db, failed.id)).toMatchObject({
      status: "unprocessed",
      attempts: 0,
      lastError: null,
    });
    expect(getPromptDetail(db, queued.id)!.events).toHaveLength(1);
  });

  it("requeues a running prompt back to the start of its stage", () => {
    const running = add();
    claim(0);

    const [result] = applyBulkAction(
      db,
      { action: "requeue", ids: [running.id], preview: false },
      at(1000),
    );

    expect(result).toMatchObject({ ok: true, to: "unprocessed/-" });
    expect(getPrompt(db, running.id)).toMatchObject({ leaseToken: null });
  });
});
