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
    // Counted per minute of each finish: the windows below start on a minute.
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

  it("reads every figure by key from the counters, never a whole table", () => {
    write("poem", 0, 1000);
    write("image_prompt", 10_000, 500);
    render(20_000, 8000);
    const plan = (query: string, ...args: unknown[]) =>
      (
        db.$client.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...args) as {
          detail: string;
        }[]
      ).map((row) => row.detail);

    const counts = plan(statsQueries.promptCounts);
    const finished = plan(statsQueries.finishedSince, 1);
    const runs = plan(statsQueries.stageRuns, "write");
    const ring = plan(statsQueries.stageDurations, "render");

    expect(counts).toEqual([
      expect.stringMatching(/^SEARCH stats_counts USING PRIMARY KEY/),
    ]);
    expect(finished).toEqual([
      expect.stringMatching(
        /^SEARCH finished_minutes USING INTEGER PRIMARY KEY/,
      ),
    ]);
    expect(runs).toEqual([
      expect.stringMatching(
        /^SEARCH stage_runs USING PRIMARY KEY \(stage=\?\)/,
      ),
    ]);
    expect(ring).toEqual(runs.map(() => expect.stringMatching(/stage=\?/)));
    for (const detail of [...counts, ...finished, ...runs, ...ring]) {
      expect(detail).not.toMatch(/SCAN|TEMP B-TREE/);
    }
  });

  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(medianOf([])).toBeNull();
    expect(medianOf([5, 1, 3])).toBe(3);
    expect(medianOf([4, 1, 3, 2])).toBe(3);
  });
});
