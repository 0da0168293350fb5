import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import {
  claimPrompts,
  recordWritings,
  type Claim,
  type WritingOutput,
} from "@/db/claims";
import { createPrompt, getPromptDetail, requeuePrompt } from "@/db/prompts";
import { pauseStage } from "@/db/queue-control";
import { readyQueriesOf } from "@/db/ready-queue";
import { makeTestDb } from "../helpers/workspace";

const text = (content: string): WritingOutput => ({
  format: "text",
  content,
  backend: "t",
});

describe("claims in batches", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  const addPoem = (words: string, priority = 0) =>
    createPrompt(db, { type: "poem", text: words, priority }).id;
  const claimUpTo = (limit: number) =>
    claimPrompts(db, { workerId: "w1", leaseMs: 30_000, limit });
  const searchIds = (word: string) =>
    (
      db.$client
        .prepare(
          "SELECT rowid FROM prompt_search WHERE prompt_search MATCH ? ORDER BY rowid",
        )
        .all(word) as { rowid: number }[]
    ).map((row) => row.rowid);

  it("claims up to the limit in queue order, each under its own lease and event", () => {
    const old = addPoem("old");
    const urgent = addPoem("urgent", 5);
    const young = addPoem("young");
    const alsoUrgent = addPoem("also urgent", 5);

    const claims = claimUpTo(3);

    expect(claims.map((c) => c.prompt.id)).toEqual([urgent, alsoUrgent, old]);
    expect(new Set(claims.map((c) => c.leaseToken)).size).toBe(3);
    for (const claim of claims) {
      expect(claim.prompt).toMatchObject({ status: "processing", attempts: 1 });
      const reasons = getPromptDetail(db, claim.prompt.id)!.events.map(
        (e) => e.reason,
      );
      expect(reasons).toEqual(["submitted", "writing started"]);
    }
    expect(claimUpTo(3).map((c) => c.prompt.id)).toEqual([young]);
  });

  it("claims nothing of a paused stage", () => {
    addPoem("rain");
    addPoem("snow");
    pauseStage(db, "write");

    expect(claimUpTo(5)).toEqual([]);
  });

  it("records writings together; one whose lease was lost changes nothing", () => {
    addPoem("first");
    addPoem("second");
    addPoem("third");
    const [a, lost, c] = claimUpTo(3);
    requeuePrompt(db, lost.prompt.id);

    const results = recordWritings(db, [
      { claim: a, output: text("lighthouse verse") },
      { claim: lost, output: text("lighthouse stale") },
      { claim: c, output: text("lighthouse chorus") },
    ]);

    expect(results[0]).toMatchObject({ prompt: { status: "completed" } });
    expect(results[1]).toMatchObject({ error: { code: "lease_lost" } });
    expect(results[2]).toMatchObject({ prompt: { status: "completed" } });
    const lostDetail = getPromptDetail(db, lost.prompt.id)!;
    expect(lostDetail.prompt.status).toBe("unprocessed");
    expect(lostDetail.writing).toBeNull();
    for (const [claim, result] of [
      [a, results[0]],
      [c, results[2]],
    ] as [Claim, (typeof results)[number]][]) {
      const detail = getPromptDetail(db, claim.prompt.id)!;
      expect(detail.prompt.outputReference).toBe(detail.writing!.id);
      expect("prompt" in result && result.prompt.outputReference).toBe(
        detail.writing!.id,
      );
    }
    // The search index sees each recorded writing, and not the refused one.
    expect(searchIds("lighthouse")).toEqual([a.prompt.id, c.prompt.id]);
    expect(searchIds("stale")).toEqual([]);
  });

  it("finds ready prompts by walking an index, never sorting in a temporary B-tree", () => {
    for (const stage of ["write", "render"] as const) {
      for (const allDown of [false, true]) {
        for (const query of readyQueriesOf(db, stage, allDown)) {
          const params = query.params.map((p) =>
            typeof p === "object" && p !== null ? 0 : p,
          );
          const plan = (
            db.$client
              .prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
              .all(...params) as { detail: string }[]
          ).map((row) => row.detail);

          expect(plan.join("\n")).toMatch(
            stage === "write"
              ? /USING (COVERING )?INDEX prompts_stage1_queue/
              : /USING (COVERING )?INDEX prompts_stage2_queue/,
          );
          expect(plan.join("\n")).not.toMatch(/TEMP B-TREE|SCAN prompts/);
        }
      }
    }
  });
});
