import { describe, expect, it } from "vitest";
import { useAppSuite } from "../../../helpers/app-suite";
import { waitFor } from "../../../helpers/processes";
import { createPrompt } from "@/db/prompts";
import { pauseStage, resumeStage } from "@/db/queue-control";

describe("GET /api/events", () => {
  const suite = useAppSuite((db) => {
    for (const text of ["a", "b", "c"])
      createPrompt(db, { type: "haiku", text, priority: 0 });
  });

  /**
   * Reads the stream until `until` appears in it, then closes it; `onOpen`
   * runs once the server has subscribed the stream.
   */
  async function readStream(
    lastEventId: string | null,
    until: string,
    onOpen = () => {},
  ) {
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), 5000);
    const response = await fetch(`${suite.app.baseUrl}/api/events`, {
      headers: lastEventId === null ? {} : { "Last-Event-ID": lastEventId },
      signal: abort.signal,
    });
    const reader = response
      .body!.pipeThrough(new TextDecoderStream())
      .getReader();
    let text = "";
    let isOpen = false;
    try {
      while (!text.includes(until)) {
        if (!isOpen && text.includes(": open\n\n")) {
          isOpen = true;
          onOpen();
        }
        const { done, value } = await reader.read();
        if (done) break;
        text += value;
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    } finally {
      clearTimeout(timeout);
      abort.abort();
    }
    return text;
  }

  it("replays what a client missed", async () => {
    const text = await readStream("1", "id: 3\n");

    expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1])).toEqual([
      "2",
      "3",
    ]);
    expect(text).not.toContain("event: reset");
  });

  it("asks a client whose id is past the newest event to refetch", async () => {
    const text = await readStream("99999999", "event: reset");

    expect(text).toContain('id: 3\nevent: reset\ndata: {"lastEventId":3}\n\n');
  });

  it("tells every stream at once when another process pauses or resumes a stage", async () => {
    const startedAt = Date.now();
    const text = await readStream(null, "event: stages", () =>
      pauseStage(suite.db, "write", new Date("2025-03-01T09:00:00.000Z")),
    );
    const pausedAfterMs = Date.now() - startedAt;

    const [, data] = /^event: stages\ndata: (.*)$/m.exec(text)!;
    expect(JSON.parse(data)).toEqual({
      paused: { write: true, render: false },
      pausedSince: { write: "2025-03-01T09:00:00.000Z", render: null },
    });
    expect(text).not.toMatch(/^id: .*\nevent: stages/m);
    expect(pausedAfterMs).toBeLessThan(2000);

    const resumed = await readStream(null, "event: stages", () =>
      resumeStage(suite.db, "write"),
    );
    expect(
      JSON.parse(/^event: stages\ndata: (.*)$/m.exec(resumed)![1]),
    ).toEqual({
      paused: { write: false, render: false },
      pausedSince: { write: null, render: null },
    });
  });

  it("holds one subscription per open stream and lets it go when the client disconnects", async () => {
    const clientsNow = async () => {
      const response = await fetch(`${suite.app.baseUrl}/api/health`);
      const body = (await response.json()) as { stream: { clients: number } };
      return body.stream.clients;
    };
    const open = async () => {
      const abort = new AbortController();
      const response = await fetch(`${suite.app.baseUrl}/api/events`, {
        signal: abort.signal,
      });
      const reader = response.body!.getReader();
      await reader.read(); // ": open": the server has subscribed it
      return abort;
    };
    // Streams of the tests before may take a moment to be let go.
    await waitFor(async () => (await clientsNow()) === 0, 5000);

    const streams = [await open(), await open(), await open()];
    const whileOpen = await clientsNow();
    streams[0].abort();
    await waitFor(async () => (await clientsNow()) === 2, 5000);
    streams[1].abort();
    streams[2].abort();
    await waitFor(async () => (await clientsNow()) === 0, 5000);

    expect(whileOpen).toBe(3);
  });
});
