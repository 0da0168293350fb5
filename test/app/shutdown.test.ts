import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

describe("app shutdown", () => {
  let workspace: Workspace;
  let app: RunningApp;

  beforeAll(async () => {
    workspace = makeWorkspace();
    app = await startApp(workspace.env);
  });
  afterAll(async () => {
    await app?.stop("SIGKILL");
    workspace?.cleanup();
  });

  it("exits on SIGTERM even while event streams are open", async () => {
    const streams = await Promise.all(
      [1, 2].map(() => fetch(`${app.baseUrl}/api/events`)),
    );
    const readers = streams.map((s) => s.body!.getReader());
    await Promise.all(readers.map((r) => r.read()));
    const startedAt = Date.now();

    const code = await Promise.race([
      app.stop("SIGTERM"),
      new Promise((r) => setTimeout(() => r("still running"), 10_000)),
    ]);

    expect(code).not.toBe("still running");
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    for (const reader of readers) {
      await expect(readReaderToEnd(reader)).resolves.toBe("ended");
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
