import { QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  connectPromptEvents,
  silenceLimitMs,
} from "@/lib/client/use-prompt-events";

/** Just enough of EventSource to drive the connection by hand. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];

  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private listeners = new Map<string, ((event: MessageEvent) => void)[]>();

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  addEventListener(type: string, listener: (event: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close() {
    this.readyState = FakeEventSource.CLOSED;
  }

  open() {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }

  emit(type: string, data: string) {
    const event = new MessageEvent(type, { data });
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

const latest = () => FakeEventSource.instances.at(-1)!;

describe("connectPromptEvents", () => {
  let client: QueryClient;
  let disconnect: () => void;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal("EventSource", FakeEventSource);
    FakeEventSource.instances = [];
    client = new QueryClient();
    disconnect = connectPromptEvents(client);
    latest().open();
  });

  afterEach(() => {
    disconnect();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it("reopens a stream that stays silent past the limit", async () => {
    const invalidate = vi.spyOn(client, "invalidateQueries");

    await vi.advanceTimersByTimeAsync(silenceLimitMs - 1);
    expect(latest().readyState).toBe(FakeEventSource.OPEN);
    await vi.advanceTimersByTimeAsync(1);

    expect(FakeEventSource.instances[0].readyState).toBe(
      FakeEventSource.CLOSED,
    );
    expect(invalidate).toHaveBeenCalledWith();
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeEventSource.instances).toHaveLength(2);
  });

  it("keeps a stream open while pings arrive", async () => {
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(10_000);
      latest().emit("ping", new Date().toISOString());
    }

    expect(FakeEventSource.instances).toHaveLength(1);
    expect(latest().readyState).toBe(FakeEventSource.OPEN);
  });

  it("counts a prompt event as a sign of life", async () => {
    await vi.advanceTimersByTimeAsync(silenceLimitMs - 1000);
    latest().emit(
      "prompt",
      JSON.stringify({
        id: 1,
        eventId: 1,
        type: "poem",
        status: "processing",
        artifactStatus: null,
        fromStatus: "unprocessed",
        fromArtifactStatus: null,
        reason: "writing started",
        updatedAt: new Date().toISOString(),
      }),
    );
    await vi.advanceTimersByTimeAsync(silenceLimitMs - 1000);

    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it("backs off between reopenings that never connect", async () => {
    await vi.advanceTimersByTimeAsync(silenceLimitMs + 1000);
    expect(FakeEventSource.instances).toHaveLength(2);

    await vi.advanceTimersByTimeAsync(silenceLimitMs + 1000);
    expect(FakeEventSource.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);

    expect(FakeEventSource.instances).toHaveLength(3);
  });

  it("rechecks stats and health when a live stream errors", () => {
    const invalidate = vi.spyOn(client, "invalidateQueries");

    latest().readyState = FakeEventSource.CONNECTING;
    latest().onerror?.();

    expect(invalidate).toHaveBeenCalledWith({ queryKey: ["stats"] });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ["health"] });
  });

  it("refetches everything shown when a dropped stream comes back", async () => {
    const invalidate = vi.spyOn(client, "invalidateQueries");
    latest().close();
    latest().onerror?.();

    await vi.advanceTimersByTimeAsync(1000);
    latest().open();

    expect(FakeEventSource.instances).toHaveLength(2);
    expect(invalidate).toHaveBeenLastCalledWith();
  });

  it("shows a pause from another tab at once and refetches the stats", () => {
    const invalidate = vi.spyOn(client, "invalidateQueries");
    client.setQueryData(["stats"], {
      total: 3,
      paused: { write: false, render: false },
      pausedSince: { write: null, render: null },
    });

    latest().emit(
      "stages",
      JSON.stringify({
        paused: { write: true, render: false },
        pausedSince: { write: "2025-01-01T12:00:00.000Z", render: null },
      }),
    );

    expect(client.getQueryData(["stats"])).toEqual({
      total: 3,
      paused: { write: true, render: false },
      pausedSince: { write: "2025-01-01T12:00:00.000Z", render: null },
    });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ["stats"] });
  });

  it.each([
    ["edited", "unprocessed", null, "unprocessed", null],
    ["moved to top", "completed", "pending", "completed", "pending"],
    ["re-rendering requested", "completed", "ready", "completed", "pending"],
    ["re-writing requested", "completed", null, "unprocessed", null],
  ])(
    "fetches the whole prompt after an event %s, which events alone cannot show",
    async (reason, fromStatus, fromArtifactStatus, status, artifactStatus) => {
      const prefetch = vi
        .spyOn(client, "prefetchQuery")
        .mockResolvedValue(undefined);

      latest().emit(
        "prompt",
        JSON.stringify({
          id: 7,
          eventId: 9,
          type: "poem",
          status,
          artifactStatus,
          fromStatus,
          fromArtifactStatus,
          reason,
          updatedAt: new Date().toISOString(),
        }),
      );
      await vi.advanceTimersByTimeAsync(1000);

      expect(prefetch).toHaveBeenCalledWith(
        expect.objectContaining({ queryKey: ["prompts", "detail", 7] }),
      );
    },
  );

  it("patches a prompt's state from a transition without fetching it", async () => {
    const prefetch = vi
      .spyOn(client, "prefetchQuery")
      .mockResolvedValue(undefined);

    latest().emit(
      "prompt",
      JSON.stringify({
        id: 7,
        eventId: 9,
        type: "poem",
        status: "processing",
        artifactStatus: null,
        fromStatus: "unprocessed",
        fromArtifactStatus: null,
        reason: "writing started",
        updatedAt: new Date().toISOString(),
      }),
    );
    await vi.advanceTimersByTimeAsync(1000);

    expect(prefetch).not.toHaveBeenCalled();
  });
});

// The first load cannot hang: a stream whose first connection never opens
// (a proxy holding the request) is given up and opened again.
describe("connectPromptEvents before the first connection", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it("replaces a first connection that never opens", async () => {
    vi.useFakeTimers();
    vi.stubGlobal("EventSource", FakeEventSource);
    FakeEventSource.instances = [];
    const disconnect = connectPromptEvents(new QueryClient());

    await vi.advanceTimersByTimeAsync(silenceLimitMs + 1000);
    disconnect();

    expect(FakeEventSource.instances).toHaveLength(2);
    expect(FakeEventSource.instances[0].readyState).toBe(
      FakeEventSource.CLOSED,
    );
  });
});
