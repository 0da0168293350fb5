import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EventHub, keepAliveMs, maxReplayEvents } from "@/app/api/events/hub";
import type { Db } from "@/db/client";
import { claimNextPrompt, recordWriting, reportProgress } from "@/db/claims";
import { createPrompt } from "@/db/prompts";
import { pauseStage, resumeStage } from "@/db/queue-control";
import { makeTestDb } from "../../../helpers/workspace";
import { waitFor } from "../../../helpers/processes";

const decoder = new TextDecoder();

function collector() {
  const chunks: Uint8Array[] = [];
  return {
    chunks,
    text: () => chunks.map((c) => decoder.decode(c)).join(""),
    ids: () =>
      [
        ...chunks
          .map((c) => decoder.decode(c))
          .join("")
          .matchAll(/^id: (\d+)$/gm),
      ].map((m) => Number(m[1])),
    closed: false,
    write: (chunk: Uint8Array) => (chunks.push(chunk), true),
    close() {
      this.closed = true;
    },
  };
}

describe("EventHub", () => {
  let db: Db;
  let close: () => void;
  let hub: EventHub;
  let subscriptions: (() => void)[];
  beforeEach(() => {
    ({ db, close } = makeTestDb());
    hub = new EventHub();
    subscriptions = [];
  });
  afterEach(() => {
    for (const unsubscribe of subscriptions) unsubscribe();
    close();
  });

  const subscribe = (...args: Parameters<EventHub["subscribe"]>) => {
    const unsubscribe = hub.subscribe(...args);
    subscriptions.push(unsubscribe);
    return unsubscribe;
  };

  it("sends each committed transition to every client, encoded once", async () => {
    const a = collector();
    const b = collector();
    subscribe(db, a, null);
    subscribe(db, b, null);

    const prompt = createPrompt(db, {
      type: "poem",
      text: "rain",
      priority: 0,
    });
    claimNextPrompt(db, { workerId: "w", leaseMs: 1000 });
    await waitFor(() => a.ids().length === 2, 2000, 5);

    expect(a.ids()).toEqual([1, 2]);
    expect(b.ids()).toEqual([1, 2]);
    expect(a.chunks[0]).toBe(b.chunks[0]);
    expect(a.text()).toContain("event: prompt\n");
    const data = JSON.parse(/^data: (.*)$/m.exec(a.text())![1]);
    expect(data).toMatchObject({
      id: prompt.id,
      eventId: 1,
      status: "unprocessed",
      type: "poem",
    });
  });

  it("replays what came after Last-Event-ID before anything new", async () => {
    const first = collector();
    subscribe(db, first, null);
    for (const text of ["a", "b", "c"])
      createPrompt(db, { type: "haiku", text, priority: 0 });
    await waitFor(() => first.ids().length === 3, 2000, 5);

    const late = collector();
    subscribe(db, late, 1);
    createPrompt(db, { type: "haiku", text: "d", priority: 0 });
    await waitFor(() => late.ids().length === 3, 2000, 5);

    expect(late.ids()).toEqual([2, 3, 4]);
  });

  it("stops watching when the last client leaves", () => {
    const unsubscribe = subscribe(db, collector(), null);
    expect(hub.stats()).toEqual({ clients: 1, watching: true });

    unsubscribe();

    expect(hub.stats()).toEqual({ clients: 0, watching: false });
  });

  it("drops a client that can no longer be written to", async () => {
    const healthy = collector();
    subscribe(db, healthy, null);
    subscribe(db, { write: () => false, close() {} }, null);

    createPrompt(db, { type: "poem", text: "rain", priority: 0 });
    await waitFor(() => healthy.ids().length === 1, 2000, 5);

    expect(hub.stats()).toEqual({ clients: 1, watching: true });
  });

  it("writes a keep-alive comment while the stream is quiet", () => {
    vi.useFakeTimers();
    try {
      const client = collector();
      subscribe(db, client, null);

      vi.advanceTimersByTime(keepAliveMs + 1);

      expect(client.text()).toMatch(
        /^: keep-alive\nevent: ping\ndata: \S+\n\n/m,
      );
      expect(keepAliveMs).toBeLessThanOrEqual(15_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it("ends every stream when the server shuts down", () => {
    const a = collector();
    const b = collector();
    subscribe(db, a, null);
    subscribe(db, b, null);

    hub.closeAll();

    expect([a.closed, b.closed]).toEqual([true, true]);
    expect(hub.stats()).toEqual({ clients: 0, watching: false });
  });

  it("ends a stream opened after shutdown began at once", () => {
    hub.closeAll();
    const late = collector();

    subscribe(db, late, null);

    expect(late.closed).toBe(true);
    expect(hub.stats()).toEqual({ clients: 0, watching: false });
    expect(hub.isClosing()).toBe(true);
  });

  it("asks a client too far behind to refetch instead of replaying", async () => {
    const live = collector();
    subscribe(db, live, null);
    const count = maxReplayEvents + 5;
    db.$client.transaction(() => {
      for (let i = 0; i < count; i++)
        createPrompt(db, { type: "haiku", text: `p${i}`, priority: 0 });
    })();
    await waitFor(() => live.ids().length === count, 5000, 5);

    const farBehind = collector();
    subscribe(db, farBehind, 1);
    const nearlyCurrent = collector();
    subscribe(db, nearlyCurrent, count - 2);

    expect(farBehind.text()).toBe(
      `id: ${count}\nevent: reset\ndata: {"lastEventId":${count}}\n\n`,
    );
    expect(nearlyCurrent.ids()).toEqual([count - 1, count]);
  });

  it("asks a client whose id is past the newest event to refetch", () => {
    for (const text of ["a", "b"])
      createPrompt(db, { type: "haiku", text, priority: 0 });
    const current = collector();
    subscribe(db, current, 2);

    const fromOldDatabase = collector();
    subscribe(db, fromOldDatabase, 99_999_999);

    expect(current.text()).toBe("");
    expect(fromOldDatabase.text()).toBe(
      'id: 2\nevent: reset\ndata: {"lastEventId":2}\n\n',
    );
  });
  it("sends stage 2 progress when it changes, without an id", async () => {
    const client = collector();
    subscribe(db, client, null);
    const prompt = createPrompt(db, {
      type: "image_prompt",
      text: "a lighthouse at dusk",
      priority: 0,
    });
    const write = claimNextPrompt(db, { workerId: "w", leaseMs: 10_000 })!;
    recordWriting(db, write, { format: "json", content: "{}", backend: "t" });
    const render = claimNextPrompt(db, { workerId: "w", leaseMs: 10_000 })!;
    const progressOf = () =>
      [...client.text().matchAll(/^event: progress\ndata: (.*)$/gm)].map((m) =>
        JSON.parse(m[1]),
      );
    await waitFor(() => progressOf().length === 1, 2000, 5);

    reportProgress(db, render, 30);
    await waitFor(() => progressOf().length === 2, 2000, 5);
    reportProgress(db, render, 30);
    reportProgress(db, render, 64);
    await waitFor(() => progressOf().length === 3, 2000, 5);

    expect(progressOf()).toEqual([
      { id: prompt.id, progress: 0, lastEventId: render.prompt.lastEventId },
      { id: prompt.id, progress: 30, lastEventId: render.prompt.lastEventId },
      { id: prompt.id, progress: 64, lastEventId: render.prompt.lastEventId },
    ]);
    expect(client.text()).not.toMatch(/^id: .*\nevent: progress/m);
  });

  it("sends the stages' pauses to every client when a pause or resume commits, and only then", async () => {
    const a = collector();
    const b = collector();
    subscribe(db, a, null);
    subscribe(db, b, null);
    const stagesOf = (client: ReturnType<typeof collector>) =>
      [...client.text().matchAll(/^event: stages\ndata: (.*)$/gm)].map((m) =>
        JSON.parse(m[1]),
      );

    pauseStage(db, "render", new Date("2025-03-01T09:00:00.000Z"));
    await waitFor(() => stagesOf(a).length === 1, 2000, 5);
    createPrompt(db, { type: "poem", text: "rain", priority: 0 });
    await waitFor(() => a.ids().length === 1, 2000, 5);
    resumeStage(db, "render");
    await waitFor(() => stagesOf(a).length === 2, 2000, 5);

    expect(stagesOf(a)).toEqual([
      {
        paused: { write: false, render: true },
        pausedSince: { write: null, render: "2025-03-01T09:00:00.000Z" },
      },
      {
        paused: { write: false, render: false },
        pausedSince: { write: null, render: null },
      },
    ]);
    expect(stagesOf(b)).toEqual(stagesOf(a));
    const stagesChunk = a.chunks.find((c) =>
      decoder.decode(c).startsWith("event: stages"),
    );
    expect(b.chunks).toContain(stagesChunk);
  });
});
