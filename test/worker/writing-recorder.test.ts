import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import * as claims from "@/db/claims";
import { createPrompt, getPromptDetail, requeuePrompt } from "@/db/prompts";
import { createWritingRecorder } from "@/worker/writing-recorder";
import { makeTestDb } from "../helpers/workspace";

vi.mock("@/db/claims", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/db/claims")>();
  return { ...actual, recordWritings: vi.fn(actual.recordWritings) };
});

const output = { format: "text", content: "a line", backend: "t" } as const;

describe("createWritingRecorder", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => {
    ({ db, close } = makeTestDb());
    vi.mocked(claims.recordWritings).mockClear();
  });
  afterEach(() => close());

  const claimPoems = (words: string[]) => {
    for (const text of words) {
      createPrompt(db, { type: "poem", text, priority: 0 });
    }
    return claims.claimPrompts(db, {
      workerId: "w1",
      leaseMs: 30_000,
      limit: words.length,
    });
  };

  it("records writings finished in the same turn in one transaction, each with its own outcome", async () => {
    const [a, lost, c] = claimPoems(["rain", "snow", "fog"]);
    requeuePrompt(db, lost.prompt.id);
    const record = createWritingRecorder(db);

    const outcomes = await Promise.allSettled([
      record(a, output),
      record(lost, output),
      record(c, output),
    ]);

    expect(claims.recordWritings).toHaveBeenCalledTimes(1);
    expect(outcomes.map((o) => o.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({
      code: "lease_lost",
    });
    for (const claim of [a, c]) {
      expect(getPromptDetail(db, claim.prompt.id)!.writing).toMatchObject({
        content: "a line",
      });
    }
  });

  it("records writings finished in later turns in transactions of their own", async () => {
    const [a, b] = claimPoems(["rain", "snow"]);
    const record = createWritingRecorder(db);

    await record(a, output);
    await record(b, output);

    expect(claims.recordWritings).toHaveBeenCalledTimes(2);
  });
});
