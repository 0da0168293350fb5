import { describe, expect, it } from "vitest";
import { claimNextPrompt, recordWriting } from "@/db/claims";
import { createPrompt, getPrompt } from "@/db/prompts";
import { failStage } from "@/db/stage-failures";
import { useAppSuite } from "../../helpers/app-suite";

// The production server with no worker, on a database seeded with one
// failed, one running, one queued and one finished prompt.
describe("admin and stats API", () => {
  const ids: Record<string, number> = {};
  const suite = useAppSuite((db) => {
    const add = (text: string, priority = 0) =>
      createPrompt(db, { type: "poem", text, priority }).id;
    const claim = () =>
      claimNextPrompt(db, { workerId: "w", leaseMs: 60_000 })!;
    ids.done = add("done", 2);
    recordWriting(db, claim(), { format: "text", content: "x", backend: "t" });
    ids.failed = add("failed", 1);
    failStage(db, claim(), "permanent: no");
    ids.running = add("running");
    claim();
    ids.queued = add("queued");
  });

  const bulk = (body: unknown, headers: HeadersInit = {}) =>
    fetch(`${suite.app.baseUrl}/api/admin/bulk`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const eventCount = () =>
    (
      suite.db.$client
        .prepare("SELECT count(*) AS n FROM prompt_events")
        .get() as { n: number }
    ).n;

  it("previews a bulk cancel per id and changes nothing", async () => {
    const before = eventCount();

    const response = await bulk({
      action: "cancel",
      ids: [ids.running, ids.failed],
      preview: true,
    });

    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.preview).toBe(true);
    expect(body.results).toMatchObject([
      { id: ids.running, ok: true, from: "processing/-", to: "cancelled/-" },
      { id: ids.failed, ok: false, code: "conflict" },
    ]);
    expect(body.results[0].prompt.status).toBe("cancelled");
    expect(eventCount()).toBe(before);
    expect(getPrompt(suite.db, ids.running)!.status).toBe("processing");
  });

  it.each([
    ["an unknown action", { action: "delete", ids: [1] }],
    ["no ids", { action: "retry", ids: [] }],
    ["a repeated id", { action: "retry", ids: [1, 1] }],
    ["a field it does not take", { action: "retry", ids: [1], force: true }],
    ["ids that are not numbers", { action: "retry", ids: ["1"] }],
  ])("refuses %s with a 400 and changes nothing", async (_, body) => {
    const before = eventCount();

    const response = await bulk(body);

    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("validation_failed");
    expect(eventCount()).toBe(before);
  });

  it("refuses a bulk action from another site", async () => {
    const response = await bulk(
      { action: "cancel", ids: [ids.queued] },
      { origin: "http://evil.example" },
    );

    expect(response.status).toBe(403);
    expect(getPrompt(suite.db, ids.queued)!.status).toBe("unprocessed");
  });

  it("lists stuck prompts with each rule's threshold", async () => {
    const response = await fetch(`${suite.app.baseUrl}/api/admin/stuck`);

    const body = await response.json();
    expect(Object.keys(body.thresholds).sort()).toEqual([
      "failed",
      "media_waiting",
      "processing_too_long",
      "waiting_for_backend",
    ]);
    expect(body.thresholds.failed).toBe("attempts below 5");
    expect(body.items.map((i: { rule: string }) => i.rule)).toEqual(["failed"]);
  });

  it("retries a failed prompt for real", async () => {
    const response = await bulk({ action: "retry", ids: [ids.failed] });

    const body = await response.json();
    expect(body.results[0]).toMatchObject({ ok: true, to: "unprocessed/-" });
    expect(getPrompt(suite.db, ids.failed)!.status).toBe("unprocessed");
  });

  it("reports finished work, stage medians, workers and health in stats", async () => {
    const response = await fetch(`${suite.app.baseUrl}/api/stats`);

    const body = await response.json();
    expect(body.completedLastHour).toBe(1);
    expect(body.stageDurations.write.samples).toBe(1);
    expect(body.stageDurations.render).toEqual({
      medianMs: null,
      samples: 0,
    });
    expect(body.workersAlive).toBe(0);
    expect(body.health.ok).toBe(false);
    expect(body.health.reasons.join(" ")).toMatch(/no worker/);
  });
});
