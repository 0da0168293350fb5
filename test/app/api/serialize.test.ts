import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { promptJson } from "@/app/api/_lib/serialize";
import { claimNextPrompt } from "@/db/claims";
import type { Db } from "@/db/client";
import { createPrompt } from "@/db/prompts";
import { waitForBackend } from "@/db/stage-failures";
import { makeTestDb } from "../../helpers/workspace";

describe("promptJson", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  it("shows why a prompt waits for its backend, and when it runs again", () => {
    createPrompt(db, { type: "poem", text: "rain", priority: 0 });
    const claim = claimNextPrompt(db, { workerId: "w1", leaseMs: 60_000 })!;
    const runAfter = new Date("2026-03-01T10:00:05Z");

    const waiting = waitForBackend(db, claim, {
      waitingReason: "unreachable: connection refused",
      runAfter,
    });

    expect(promptJson(waiting)).toMatchObject({
      status: "unprocessed",
      waitingReason: "unreachable: connection refused",
      runAfter: "2026-03-01T10:00:05.000Z",
    });
  });
});
