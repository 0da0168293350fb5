import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimNextPrompt, recordArtifacts, recordWriting } from "@/db/claims";
import type { Db } from "@/db/client";
import { createPrompt } from "@/db/prompts";
import { failStage } from "@/db/stage-failures";
import {
  countFinishedSince,
  medianOf,
  readStageDurations,
  statsQueries,
} from "@/db/stats";
import type { PromptType } from "@/lib/prompt-types";
import { makeTestDb } from "../helpers/workspace";

const t0 = new Date("2026-03-01T12:00:00Z").getTime();
const at = (ms: number) => new Date(t0 + ms);

describe("stats queries", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  const add = (type: PromptType, startMs: number) =>
    createPrompt(db, { type, text: "rain", priority: 0 }, at(startMs));

  /** Runs stage 1 from startMs for durationMs; returns the claim. */
  const write = (type: PromptType, startMs: number, durationMs: number) => {
    add(type, startMs);
    const claim = claimNextPrompt(db, {
      workerId: "w",
      leaseMs: 600_000,
      stage: "write",
      now: at(startMs),
    })!;
    const format = type === "image_prompt" ? "json" : "text";
    recordWriting(
      db,
      claim,
      { format, content: "{}", backend: "t" },
      at(startMs + durationMs),
    );
    return claim;
  };

  const render = (startMs: number, durationMs: number) => {
    const claim = claimNextPrompt(db, {
      workerId: "w",
      leaseMs: 600_000,
      stage: "render",
      now: at(startMs),
    })!;
    recordArtifacts(
      db,
      claim,
      [
        {
          kind: "image",
          mimeType: "image/png",
          fileName: `${claim.prompt.id}.png`,
          sizeBytes: 1,
          sha256: "x",
          backend: "t",
        },
      ],
      at(startMs + durationMs),
    );
  };

  it("takes the median of each stage from its start to its completion", () => {
    write("poem", 0, 1000);
    write("poem", 10_000, 3000);
    write("poem", 20_000, 2000);
    write("image_prompt", 30_000, 500);
    render(31_000, 8000);

    const durations = readStageDurations(db);

    expect(durations.write).toEqual({ medianMs: 1500, samples: 4 });
    expect(durations.render).toEqual({ medianMs: 8000, samples: 1 });
  });

  it("leaves out stages that failed and counts only the latest ones", () => {
    write("poem", 0, 100_000);
    write("poem", 200_000, 1000);
    write("poem", 300_000, 3000);
    add("poem", 400_000);
    const failing = claimNextPrompt(db, {
      workerId: "w",
      leaseMs: 600_000,
      now: at(400_000),
    })!;
    failStage(db, failing, "permanent: no", at(900_000));

    const durations = readStageDurations(db, 2);

    expect(durations.write).toEqual({ medianMs: 2000, samples: 2 });
    expect(durations.render).toEqual({ medianMs: null, samples: 0 });
  });

  it("counts prompts finished in a window: text written or media ready", () => {
    write("poem", 0, 1000);
    write("poem", 3_600_000, 1000);
    write("image_prompt", 3_700_000, 1000);
    write("image_prompt", 3_800_000, 1000);
    render(3_900_000, 1000);
    write("haiku", 5_000_000, 1000);

    const count = countFinishedSince(db, at(3_000_000));

    // the second poem, one rendered image and the haiku; a spec is not done
    expect(count).toBe(3);
    expect(countFinishedSince(db, at(6_000_000))).toBe(0);
    expect(countFinishedSince(db, at(-1))).toBe(4);
  });

  it("counts nothing in an empty database", () => {
    expect(countFinishedSince(db, at(0))).toBe(0);
    expect(readStageDurations(db).write).toEqual({
      medianMs: null,
      samples: 0,
    });
  });

  it("reads the newest events by key and each start through the index", () => {
    const plan = (query: string, ...args: unknown[]) =>
      (
        db.$client.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...args) as {
          detail: string;
        }[]
      ).map((row) => row.detail);

    const durations = plan(statsQueries.stageDurations, null, 500);
    const window = plan(statsQueries.completedSince, 1);
    const probe = plan(statsQueries.firstEventAt, 1);
    const range = plan(statsQueries.idRange);

    expect(durations.join("\n")).not.toMatch(/TEMP B-TREE/);
    expect(durations).toContainEqual(
      expect.stringMatching(/SEARCH s USING INDEX prompt_events_prompt/),
    );
    expect(window).toEqual([
      expect.stringMatching(/SEARCH prompt_events USING INTEGER PRIMARY KEY/),
    ]);
    expect(probe).toEqual([
      expect.stringMatching(/SEARCH prompt_events USING INTEGER PRIMARY KEY/),
    ]);
    // min and max together would read every event's index entry.
    expect(range.join("\n")).not.toMatch(/SCAN prompt_events/);
  });

  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(medianOf([])).toBeNull();
    expect(medianOf([5, 1, 3])).toBe(3);
    expect(medianOf([4, 1, 3, 2])).toBe(3);
  });
});
