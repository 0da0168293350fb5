import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openEventStream } from "../helpers/event-stream";
import { startApp, type RunningApp } from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const stillRunning = (ms: number) =>
  new Promise((r) => setTimeout(() => r("still running"), ms));

describe("app shutdown", () => {
  let workspace: Workspace;
  let app: RunningApp;

  beforeEach(async () => {
    workspace = makeWorkspace();
    app = await startApp(workspace.env);
  });
  afterEach(async () => {
    await app?.stop("SIGKILL");
    workspace?.cleanup();
  });

  it("exits on SIGTERM even while event streams are open", async () => {
    const streams = await Promise.all(
      [1, 2].map(() => fetch(`${app.baseUrl}/api/events`)),
    );
    const readers = streams.map((s) => s.body!.getReader());
    await Promise.all(readers.map((r) => r.read()));

    const code = await Promise.race([
      app.stop("SIGTERM"),
      stillRunning(10_000),
    ]);

    expect(code).not.toBe("still running");
    for (const reader of readers) {
      await expect(readReaderToEnd(reader)).resolves.toBe("ended");
    }
  });

  it("exits while clients keep reconnecting, and refuses new streams", async () => {
    // Reconnecting clients, as open browser tabs are: each retries 1 s after
    // its stream ends.
    const clients = [1, 2, 3].map(() => openEventStream(app.baseUrl));
    await Promise.all(clients.map((c) => c.opened));

    try {
      const code = await Promise.race([
        app.stop("SIGINT"),
        stillRunning(15_000),
      ]);

      expect(code).not.toBe("still running");
      expect(app.output()).not.toMatch(/error/i);
    } finally {
      for (const client of clients) client.close();
    }
  });
});

async function readReaderToEnd(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<string> {
  try {
    for (;;) {
      const { done } = await reader.read();
      if (done) return "ended";
    }
  } catch {
    return "ended";
  }
}
