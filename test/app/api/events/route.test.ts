import { describe, expect, it } from "vitest";
import { useAppSuite } from "../../../helpers/app-suite";
import { createPrompt } from "@/db/prompts";

describe("GET /api/events", () => {
  const suite = useAppSuite((db) => {
    for (const text of ["a", "b", "c"])
      createPrompt(db, { type: "haiku", text, priority: 0 });
  });

  /** Reads the stream until `until` appears in it, then closes it. */
  async function readStream(lastEventId: string, until: string) {
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), 5000);
    const response = await fetch(`${suite.app.baseUrl}/api/events`, {
      headers: { "Last-Event-ID": lastEventId },
      signal: abort.signal,
    });
    const reader = response
      .body!.pipeThrough(new TextDecoderStream())
      .getReader();
    let text = "";
    try {
      while (!text.includes(until)) {
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
});
