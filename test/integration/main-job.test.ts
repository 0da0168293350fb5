import fs from "node:fs";
import path from "node:path";
import { PNG } from "pngjs";
import wavefile from "wavefile";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { listEventsAfter } from "@/db/events";
import type { PromptDetailJson, PromptJson } from "@/lib/api-types";
import { isMediaType } from "@/lib/prompt-types";
import {
  openEventStream,
  type EventStreamClient,
} from "../helpers/event-stream";
import {
  startApp,
  startWorker,
  waitFor,
  type Running,
  type RunningApp,
} from "../helpers/processes";
import { samples } from "../helpers/samples";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const textPath = ["unprocessed/-", "processing/-", "completed/-"];
const mediaPath = [
  ...textPath.slice(0, 2),
  "completed/pending",
  "processing/processing",
  "completed/ready",
];

// The production web server and the worker run as two processes on one
// temporary database; this test is a third process that only uses HTTP,
// except for a read-only look at the file to time the worker's commits.
/** Saves observed latencies for the notes; the test asserts only the bound. */
function recordFigures(name: string, valuesMs: number[]) {
  const sorted = [...valuesMs].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const figures = {
    count: sorted.length,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted.at(-1),
  };
  const folder = path.resolve(import.meta.dirname, "../../test-output");
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(
    `test-output/${name}.json`,
    `${JSON.stringify(figures, null, 2)}\n`,
  );
}

describe("main job end to end", () => {
  let workspace: Workspace;
  let app: RunningApp;
  let worker: Running;
  let stream: EventStreamClient;
  let observer: Db;
  const submitted: PromptJson[] = [];
  const visibilityLagsMs: number[] = [];

  beforeAll(async () => {
    workspace = makeWorkspace();
    app = await startApp(workspace.env);
    worker = startWorker(workspace.env);
    stream = openEventStream(app.baseUrl);
    await stream.opened;
    observer = openDatabase(workspace.dbPath);
  });

  afterAll(async () => {
    stream?.close();
    expect(await worker?.stop()).toBe(0);
    await app?.stop();
    observer?.$client.close();
    workspace?.cleanup();
  });

  /**
   * Watches the database for commits made by the worker and, for each one,
   * asks the app for the prompt; the app must already show that state.
   */
  function checkWorkerCommitsReachTheApp(): () => Promise<void> {
    let lastId = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        for (const event of listEventsAfter(observer, lastId)) {
          lastId = event.id;
          if (!event.reason.match(/started|finished|written/)) continue;
          const deadline = event.updatedAt.getTime() + 1000;
          for (;;) {
            const response = await fetch(
              `${app.baseUrl}/api/prompts/${event.promptId}`,
            );
            const { prompt } = (await response.json()) as PromptDetailJson;
            if (prompt.lastEventId >= event.id) {
              visibilityLagsMs.push(Date.now() - event.updatedAt.getTime());
              break;
            }
            if (Date.now() > deadline) {
              throw new Error(
                `event ${event.id} not visible to the app within 1 s`,
              );
            }
          }
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    return async () => {
      running = false;
      await loop;
    };
  }

  it("finishes every sample prompt and streams each step in order", async () => {
    const stopChecking = checkWorkerCommitsReachTheApp();
    for (const sample of samples) {
      const response = await fetch(`${app.baseUrl}/api/prompts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(sample),
      });
      expect(response.status).toBe(201);
      submitted.push((await response.json()).prompt);
    }

    await waitFor(async () => {
      const page = await (
        await fetch(`${app.baseUrl}/api/prompts?limit=200`)
      ).json();
      return page.items.every(
        (p: PromptJson) =>
          p.status === "completed" &&
          p.artifactStatus !== "pending" &&
          p.artifactStatus !== "processing",
      );
    }, 60_000);
    await waitFor(() => stream.events.length >= expectedEventCount(), 5_000);
    await stopChecking();

    for (const prompt of submitted) {
      const seen = stream.events
        .filter((e) => e.id === prompt.id)
        .map((e) => `${e.status}/${e.artifactStatus ?? "-"}`);
      expect(seen, `${prompt.type} ${prompt.id}`).toEqual(
        isMediaType(prompt.type) ? mediaPath : textPath,
      );
    }
    const ids = stream.events.map((e) => Number(e.lastEventId));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  function expectedEventCount() {
    return submitted.reduce(
      (n, p) => n + (isMediaType(p.type) ? mediaPath.length : textPath.length),
      0,
    );
  }

  it("shows every worker commit through the API within 1 s", () => {
    // 1 (write) or 2 (write, render) claims and results per prompt.
    expect(visibilityLagsMs.length).toBeGreaterThanOrEqual(
      submitted.length * 2,
    );
    expect(Math.max(...visibilityLagsMs)).toBeLessThan(1000);
    recordFigures("commit-visibility", visibilityLagsMs);
  });

  it("serves a valid PNG or WAV, whose bytes match the record, for every media prompt", async () => {
    for (const prompt of submitted) {
      const detail: PromptDetailJson = await (
        await fetch(`${app.baseUrl}/api/prompts/${prompt.id}`)
      ).json();
      expect(detail.writing?.content.length).toBeGreaterThan(0);
      if (!isMediaType(prompt.type)) {
        expect(detail.prompt.artifactStatus).toBeNull();
        continue;
      }
      expect(detail.prompt.artifactStatus).toBe("ready");
      expect(detail.artifacts).toHaveLength(1);
      const [artifact] = detail.artifacts;
      const response = await fetch(`${app.baseUrl}${artifact.url}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(response.headers.get("content-type")).toBe(artifact.mimeType);
      expect(bytes.length).toBe(artifact.sizeBytes);

      if (prompt.type === "image_prompt") {
        const png = PNG.sync.read(bytes);
        expect([png.width, png.height]).toEqual([
          artifact.width,
          artifact.height,
        ]);
      } else {
        const wav = new wavefile.WaveFile(bytes);
        const fmt = wav.fmt as { sampleRate: number; numChannels: number };
        expect(fmt.sampleRate).toBeGreaterThan(0);
        const samples = (wav.getSamples(true) as unknown as ArrayLike<number>)
          .length;
        const seconds = samples / fmt.numChannels / fmt.sampleRate;
        expect(seconds * 1000).toBeCloseTo(artifact.durationMs!, -2);
      }
    }
  });

  it("serves byte ranges of audio", async () => {
    const song = submitted.find((p) => p.type === "lyrics_prompt")!;
    const detail: PromptDetailJson = await (
      await fetch(`${app.baseUrl}/api/prompts/${song.id}`)
    ).json();
    const url = `${app.baseUrl}${detail.artifacts[0].url}`;
    const whole = Buffer.from(await (await fetch(url)).arrayBuffer());

    const part = await fetch(url, { headers: { Range: "bytes=4-11" } });
    const tail = await fetch(url, { headers: { Range: "bytes=-4" } });
    const beyond = await fetch(url, {
      headers: { Range: `bytes=${whole.length}-` },
    });

    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(
      `bytes 4-11/${whole.length}`,
    );
    expect(whole.length).toBe(detail.artifacts[0].sizeBytes);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(
      whole.subarray(4, 12),
    );
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(
      whole.subarray(whole.length - 4),
    );
    expect(beyond.status).toBe(416);
  });

  it("answers conditional requests for artifacts", async () => {
    const image = submitted.find((p) => p.type === "image_prompt")!;
    const detail: PromptDetailJson = await (
      await fetch(`${app.baseUrl}/api/prompts/${image.id}`)
    ).json();
    const url = `${app.baseUrl}${detail.artifacts[0].url}`;
    const etag = `"${detail.artifacts[0].sha256}"`;

    const unchanged = await fetch(url, { headers: { "If-None-Match": etag } });
    const listed = await fetch(url, {
      headers: { "If-None-Match": `"old", W/${etag}` },
    });
    const other = await fetch(url, { headers: { "If-None-Match": '"old"' } });
    const staleRange = await fetch(url, {
      headers: { Range: "bytes=0-3", "If-Range": '"another"' },
    });
    const freshRange = await fetch(url, {
      headers: { Range: "bytes=0-3", "If-Range": etag },
    });

    expect(unchanged.status).toBe(304);
    expect(listed.status).toBe(304);
    expect(other.status).toBe(200);
    await other.arrayBuffer();
    expect(staleRange.status).toBe(200);
    expect((await staleRange.arrayBuffer()).byteLength).toBe(
      detail.artifacts[0].sizeBytes,
    );
    expect(freshRange.status).toBe(206);
  });

  it("replays the events after Last-Event-ID first, in order", async () => {
    const all = stream.events;
    const from = Number(all[Math.floor(all.length / 2)].lastEventId);

    const late = openEventStream(app.baseUrl, { lastEventId: from });
    await late.opened;
    await waitFor(
      () => late.events.length >= all.length - all.length / 2 - 1,
      5_000,
    );
    late.close();

    const expected = all.filter((e) => Number(e.lastEventId) > from);
    expect(late.events.map((e) => e.lastEventId)).toEqual(
      expected.map((e) => e.lastEventId),
    );
  });

  it("sends headers that keep proxies from holding events back", async () => {
    const controller = new AbortController();
    const response = await fetch(`${app.baseUrl}/api/events`, {
      signal: controller.signal,
    });

    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("cache-control")).toBe(
      "no-cache, no-transform",
    );
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    controller.abort();
  });

  it("releases the watch when the last client goes away", async () => {
    stream.close();
    const health = async () =>
      (await (await fetch(`${app.baseUrl}/api/health`)).json()).stream;

    await waitFor(async () => (await health()).clients === 0, 5_000);

    expect(await health()).toEqual({ clients: 0, watching: false });
  });

  it("reports the worker's database and heartbeat in health", async () => {
    const health = await (await fetch(`${app.baseUrl}/api/health`)).json();

    expect(health).toMatchObject({
      ok: true,
      reasons: [],
      db: { path: workspace.dbPath, journalMode: "wal" },
      worker: { dbPath: fs.realpathSync(workspace.dbPath), alive: true },
    });
  });
});
