import { describe, expect, it } from "vitest";
import type { PromptEventJson } from "@/lib/api-types";
import { stageTotals, timelineRows } from "@/lib/client/timeline";

let nextId = 1;
function event(
  reason: string,
  atMs: number,
  from: [string | null, string | null],
  to: [string, string | null],
): PromptEventJson {
  return {
    id: nextId++,
    fromStatus: from[0],
    fromArtifactStatus: from[1],
    toStatus: to[0],
    toArtifactStatus: to[1],
    reason,
    detail: null,
    workerId: null,
    createdAt: new Date(Date.UTC(2026, 0, 1) + atMs).toISOString(),
  } as PromptEventJson;
}

describe("timelineRows", () => {
  it("times each event from the one before, and each stage run from its start", () => {
    const rows = timelineRows([
      event("submitted", 0, [null, null], ["unprocessed", null]),
      event(
        "writing started",
        500,
        ["unprocessed", null],
        ["processing", null],
      ),
      event(
        "writing finished",
        2500,
        ["processing", null],
        ["completed", "pending"],
      ),
      event(
        "rendering started",
        2600,
        ["completed", "pending"],
        ["processing", "processing"],
      ),
      event(
        "render progress",
        3000,
        ["processing", "processing"],
        ["processing", "processing"],
      ),
      event(
        "rendering finished",
        7600,
        ["processing", "processing"],
        ["completed", "ready"],
      ),
    ]);

    expect(rows.map((row) => row.sincePreviousMs)).toEqual([
      null,
      500,
      2000,
      100,
      400,
      4600,
    ]);
    expect(rows.map((row) => row.stageRun)).toEqual([
      null,
      null,
      { stage: "writing", ms: 2000 },
      null,
      null,
      { stage: "rendering", ms: 5000 },
    ]);
  });

  it("counts every run of a stage that was retried, cancelled or taken back", () => {
    const rows = timelineRows([
      event("submitted", 0, [null, null], ["unprocessed", null]),
      event(
        "writing started",
        100,
        ["unprocessed", null],
        ["processing", null],
      ),
      event(
        "retry scheduled",
        1100,
        ["processing", null],
        ["unprocessed", null],
      ),
      event(
        "writing started",
        2000,
        ["unprocessed", null],
        ["processing", null],
      ),
      event("cancelled", 2300, ["processing", null], ["cancelled", null]),
    ]);

    expect(stageTotals(rows)).toEqual([
      { stage: "writing", ms: 1300, runs: 2 },
    ]);
  });

  it("ends no run where none started", () => {
    const rows = timelineRows([
      event("lease expired", 0, ["processing", null], ["unprocessed", null]),
    ]);

    expect(rows[0].stageRun).toBeNull();
    expect(stageTotals(rows)).toEqual([]);
  });
});
