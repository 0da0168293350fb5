import { describe, expect, it } from "vitest";
import { waitingNote } from "@/components/prompt-waiting";
import type { PromptJson } from "@/lib/api-types";

const base: PromptJson = {
  id: 7,
  type: "image_prompt",
  text: "a lighthouse",
  priority: 0,
  status: "unprocessed",
  artifactStatus: null,
  lastError: null,
  attempts: 0,
  progress: null,
  outputReference: null,
  lastEventId: 3,
  leaseOwner: null,
  leaseExpiresAt: null,
  runAfter: null,
  waitingReason: null,
  renderServer: null,
  renderJobId: null,
  createdAt: "2026-03-01T10:00:00.000Z",
  updatedAt: "2026-03-01T10:00:00.000Z",
};
const runAfter = "2026-03-01T10:00:05.000Z";

describe("waitingNote", () => {
  it("says nothing for a prompt free to run", () => {
    expect(waitingNote(base)).toBeNull();
  });

  it("names the reason a prompt waits for its backend", () => {
    const prompt = {
      ...base,
      status: "completed" as const,
      artifactStatus: "pending" as const,
      runAfter,
      waitingReason: "unreachable: ComfyUI refused the connection",
    };

    expect(waitingNote(prompt)).toMatch(
      /^Waiting: unreachable: ComfyUI refused the connection; trying again at /,
    );
  });

  it("numbers a scheduled retry", () => {
    const prompt = { ...base, attempts: 2, runAfter, lastError: "transient" };

    expect(waitingNote(prompt)).toMatch(/^Retry 3 scheduled at /);
  });

  it("says nothing once the prompt runs or has failed", () => {
    expect(waitingNote({ ...base, status: "processing", runAfter })).toBeNull();
    expect(waitingNote({ ...base, status: "failed", runAfter })).toBeNull();
  });
});
