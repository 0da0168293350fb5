import { describe, expect, it } from "vitest";
import { useAppSuite } from "../../helpers/app-suite";
import { claimNextPrompt } from "@/db/claims";
import { getPrompt } from "@/db/prompts";

// The production server with no worker: every request's effect is checked
// in the database file the server uses.
describe("prompts API", () => {
  const suite = useAppSuite();

  const rowCounts = () =>
    suite.db.$client
      .prepare(
        "SELECT (SELECT count(*) FROM prompts) AS prompts, (SELECT count(*) FROM prompt_events) AS events",
      )
      .get();

  const post = (path: string, body?: BodyInit, headers: HeadersInit = {}) =>
    fetch(`${suite.app.baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
      duplex: "half",
    } as RequestInit);

  it("creates a prompt and answers 201 with it", async () => {
    const response = await post(
      "/api/prompts",
      JSON.stringify({ type: "poem", text: "  rain  " }),
    );

    expect(response.status).toBe(201);
    const { prompt } = await response.json();
    expect(prompt).toMatchObject({
      type: "poem",
      text: "rain",
      status: "unprocessed",
    });
    expect(prompt).not.toHaveProperty("leaseToken");
  });

  const oversized = JSON.stringify({
    type: "poem",
    text: "a".repeat(70 * 1024),
  });

  it.each([
    [
      "an unknown type",
      JSON.stringify({ type: "limerick", text: "x" }),
      400,
      "validation_failed",
    ],
    [
      "empty text",
      JSON.stringify({ type: "poem", text: "   " }),
      400,
      "validation_failed",
    ],
    [
      "text over 4000 characters",
      JSON.stringify({ type: "poem", text: "a".repeat(4001) }),
      400,
      "validation_failed",
    ],
    ["broken JSON", '{"type": "poem", "text": ', 400, "bad_request"],
    ["a JSON array", "[1, 2]", 400, "validation_failed"],
    ["an empty body", "", 400, "bad_request"],
    ["a body over 64 KiB", oversized, 413, "payload_too_large"],
  ])("refuses %s and writes no row", async (_name, body, status, code) => {
    const before = rowCounts();

    const response = await post("/api/prompts", body);

    expect(response.status).toBe(status);
    const payload = await response.json();
    expect(payload.error).toMatchObject({ code, message: expect.any(String) });
    expect(rowCounts()).toEqual(before);
  });

  it("refuses a body over 64 KiB sent without a length, and writes no row", async () => {
    const before = rowCounts();
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 80; i++)
          controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        controller.close();
      },
    });

    const response = await post("/api/prompts", chunks);

    expect(response.status).toBe(413);
    expect(rowCounts()).toEqual(before);
  });

  it("keeps the connection usable after refusing an oversized body", async () => {
    // A refused body left part-way unread stalled the next request sent on
    // the same keep-alive connection until the server reset it (CI, #2).
    const oversized = () =>
      new ReadableStream({
        start(controller) {
          for (let i = 0; i < 80; i++)
            controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
          controller.close();
        },
      });
    const statuses: number[] = [];

    for (let round = 0; round < 10; round++) {
      statuses.push((await post("/api/prompts", oversized())).status);
      const next = await post("/api/prompts", "{}", {
        "content-type": "text/plain",
      });
      statuses.push(next.status);
    }

    expect(statuses).toEqual(Array(10).fill([413, 415]).flat());
  });

  it.each([
    ["text/plain", 415],
    ["application/x-www-form-urlencoded", 415],
    ["", 415],
    ["application/json; charset=utf-8", 201],
  ])("answers a body sent as %j with %i", async (contentType, status) => {
    const before = rowCounts();
    const body = JSON.stringify({ type: "poem", text: "typed" });

    const response = await fetch(`${suite.app.baseUrl}/api/prompts`, {
      method: "POST",
      headers: contentType ? { "content-type": contentType } : {},
      body: contentType ? body : new Blob([body]),
    });

    expect(response.status).toBe(status);
    if (status !== 201) expect(rowCounts()).toEqual(before);
  });

  it.each([
    ["a foreign Origin", { origin: "https://evil.example" }],
    ["Origin null", { origin: "null" }],
    ["Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site" }],
  ])("refuses a change with %s and writes nothing", async (_name, headers) => {
    const before = rowCounts();

    const created = await post(
      "/api/prompts",
      JSON.stringify({ type: "poem", text: "x" }),
      headers,
    );
    const requeued = await post("/api/prompts/1/requeue", undefined, headers);

    expect([created.status, requeued.status]).toEqual([403, 403]);
    expect((await created.json()).error.code).toBe("forbidden");
    expect(rowCounts()).toEqual(before);
  });

  it("accepts a change from its own origin", async () => {
    const response = await post(
      "/api/prompts",
      JSON.stringify({ type: "poem", text: "mine" }),
      {
        origin: suite.app.baseUrl,
        "sec-fetch-site": "same-origin",
      },
    );

    expect(response.status).toBe(201);
  });

  it("lists validation issues with their paths", async () => {
    const response = await post(
      "/api/prompts",
      JSON.stringify({ type: "ode", text: "" }),
    );

    const { error } = await response.json();
    expect(error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      "text",
      "type",
    ]);
  });

  it("pages the list newest first with a cursor", async () => {
    for (const text of ["one", "two", "three"]) {
      await post("/api/prompts", JSON.stringify({ type: "haiku", text }));
    }

    const first = await (
      await fetch(`${suite.app.baseUrl}/api/prompts?type=haiku&limit=2`)
    ).json();
    const second = await (
      await fetch(
        `${suite.app.baseUrl}/api/prompts?type=haiku&limit=2&cursor=${first.nextCursor}`,
      )
    ).json();

    expect(first.items.map((p: { text: string }) => p.text)).toEqual([
      "three",
      "two",
    ]);
    expect(second.items.map((p: { text: string }) => p.text)).toEqual(["one"]);
    expect(second.nextCursor).toBeNull();
  });

  it.each([
    ["/api/prompts?status=done", 400],
    ["/api/prompts?limit=0", 400],
    ["/api/prompts?cursor=abc", 400],
    ["/api/prompts?colour=red", 400],
    ["/api/prompts/abc", 400],
    ["/api/prompts/1e0", 400],
    ["/api/prompts/0x1", 400],
    ["/api/prompts/%201", 400],
    ["/api/prompts/-1", 400],
    ["/api/prompts/99999999999999999999", 400],
    ["/api/nothing-here", 404],
    ["/api/prompts/99999", 404],
    ["/api/artifacts/99999", 404],
  ])("answers GET %s with %i", async (path, status) => {
    const response = await fetch(`${suite.app.baseUrl}${path}`);

    expect(response.status).toBe(status);
    expect((await response.json()).error.code).toEqual(expect.any(String));
  });

  it("returns a prompt with its events", async () => {
    const { prompt } = await (
      await post(
        "/api/prompts",
        JSON.stringify({ type: "story", text: "a heist" }),
      )
    ).json();

    const detail = await (
      await fetch(`${suite.app.baseUrl}/api/prompts/${prompt.id}`)
    ).json();

    expect(detail).toMatchObject({
      prompt: { id: prompt.id },
      writing: null,
      artifacts: [],
    });
    expect(detail.events.map((e: { reason: string }) => e.reason)).toEqual([
      "submitted",
    ]);
  });

  it("requeues a processing prompt and refuses a queued one with 409", async () => {
    const { prompt } = await (
      await post(
        "/api/prompts",
        JSON.stringify({ type: "poem", text: "requeue me", priority: 100 }),
      )
    ).json();
    const queuedBefore = rowCounts();
    const refused = await post(`/api/prompts/${prompt.id}/requeue`);
    expect(refused.status).toBe(409);
    expect(rowCounts()).toEqual(queuedBefore);
    const claim = claimNextPrompt(suite.db, {
      workerId: "test",
      leaseMs: 60_000,
    });
    expect(claim?.prompt.id).toBe(prompt.id);

    const response = await post(`/api/prompts/${prompt.id}/requeue`);

    expect(response.status).toBe(200);
    expect((await response.json()).prompt).toMatchObject({
      status: "unprocessed",
      leaseOwner: null,
    });
    expect((await post("/api/prompts/99999/requeue")).status).toBe(404);
  });

  it("cancels a running prompt, dropping its lease, and refuses a finished one with 409", async () => {
    const { prompt } = await (
      await post(
        "/api/prompts",
        JSON.stringify({ type: "poem", text: "cancel me", priority: 100 }),
      )
    ).json();
    // Earlier cases leave queued prompts; claim until this one runs.
    for (let i = 0; i < 20; i++) {
      const claim = claimNextPrompt(suite.db, {
        workerId: "test",
        leaseMs: 60_000,
        stage: "write",
      });
      if (!claim || claim.prompt.id === prompt.id) break;
    }
    expect(getPrompt(suite.db, prompt.id)?.status).toBe("processing");

    const response = await post(`/api/prompts/${prompt.id}/cancel`);

    expect(response.status).toBe(200);
    expect((await response.json()).prompt).toMatchObject({
      status: "cancelled",
      leaseOwner: null,
    });
    const before = rowCounts();
    const again = await post(`/api/prompts/${prompt.id}/cancel`);
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toContain("cancelled");
    expect(rowCounts()).toEqual(before);
    expect((await post("/api/prompts/99999/cancel")).status).toBe(404);
    expect(
      (await fetch(`${suite.app.baseUrl}/api/prompts/${prompt.id}/cancel`))
        .status,
    ).toBe(405);
  });

  it("never lets Next cache an API answer", async () => {
    const first = await fetch(`${suite.app.baseUrl}/api/stats`);
    await post(
      "/api/prompts",
      JSON.stringify({ type: "poem", text: "count me" }),
    );
    const second = await fetch(`${suite.app.baseUrl}/api/stats`);

    expect(first.headers.get("cache-control")).toContain("no-store");
    expect((await second.json()).total).toBe((await first.json()).total + 1);
  });
});
