import { EventSource } from "eventsource";
import type { PromptEventMessage } from "@/lib/api-types";
import type { BenchContext } from "./lib/context";
import { percentile, type Figure } from "./lib/figures";
import { readRssMb } from "./lib/processes";

// submit → processing: POST /api/prompts to the real app, with the worker
// idle and waiting (it wakes on commits, worker/wakeup.ts), until the
// stream shows the prompt `processing`. Then the worker's memory while it
// works through a few thousand prompts.

const submissionsPerRun = 50;
const loadPrompts = 2000;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const workspace = ctx.workspace();
  const app = await ctx.startApp(workspace);
  const worker = ctx.startWorker(workspace);
  const stream = openProcessingStream(app.baseUrl);
  await stream.opened;
  await waitForWorker(app.baseUrl);

  const p50: number[] = [];
  const p99: number[] = [];
  for (let r = 0; r < ctx.runs; r++) {
    ctx.log(`submit: run ${r + 1}, ${submissionsPerRun} submissions`);
    const latencies: number[] = [];
    for (let i = 0; i < submissionsPerRun; i++) {
      latencies.push(await submitAndWait(app.baseUrl, stream));
      // Spaced out, so that the worker is idle and waiting every time.
      await sleep(60 + Math.random() * 60);
    }
    p50.push(percentile(latencies, 50));
    p99.push(percentile(latencies, 99));
  }

  ctx.log(`submit: worker memory through ${loadPrompts} prompts`);
  const idleRssMb = readRssMb(worker.child.pid!);
  const load = await measureWorkerUnderLoad(app.baseUrl, worker.child.pid!);
  stream.close();
  return [
    { name: "submit → processing p50", unit: "ms", runs: p50 },
    {
      name: "submit → processing p99",
      unit: "ms",
      runs: p99,
      target: { max: 250 },
    },
    {
      name: "worker RSS under load (peak)",
      unit: "MB",
      runs: [load.peakRssMb],
      target: { max: 150 },
      note:
        `${idleRssMb.toFixed(0)} MB idle; ${loadPrompts} poems written at ` +
        `${load.perSecond.toFixed(0)}/s with the built-in writer`,
    },
  ];
}

type ProcessingStream = {
  opened: Promise<void>;
  /** Resolves when the stream shows this prompt processing. */
  processing(promptId: number): Promise<number>;
  close(): void;
};

function openProcessingStream(baseUrl: string): ProcessingStream {
  const seen = new Map<number, number>();
  const waiters = new Map<number, (at: number) => void>();
  const source = new EventSource(`${baseUrl}/api/events`);
  source.addEventListener("prompt", (message) => {
    const at = now();
    const event = JSON.parse(message.data) as PromptEventMessage;
    if (event.status !== "processing") return;
    seen.set(event.id, at);
    waiters.get(event.id)?.(at);
  });
  const opened = new Promise<void>((resolve) =>
    source.addEventListener("open", () => resolve(), { once: true }),
  );
  return {
    opened,
    processing(promptId) {
      const at = seen.get(promptId);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`prompt ${promptId} never seen processing`)),
          10_000,
        );
        waiters.set(promptId, (t) => {
          clearTimeout(timer);
          resolve(t);
        });
      });
    },
    close: () => source.close(),
  };
}

async function submitAndWait(baseUrl: string, stream: ProcessingStream) {
  const sentAt = now();
  const response = await fetch(`${baseUrl}/api/prompts`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ type: "poem", text: "rain on a tin roof" }),
  });
  if (response.status !== 201) {
    throw new Error(`POST /api/prompts answered ${response.status}`);
  }
  const { prompt } = (await response.json()) as { prompt: { id: number } };
  return (await stream.processing(prompt.id)) - sentAt;
}

async function waitForWorker(baseUrl: string) {
  for (let i = 0; i < 200; i++) {
    const stats = (await (await fetch(`${baseUrl}/api/stats`)).json()) as {
      workersAlive: number;
    };
    if (stats.workersAlive > 0) return;
    await sleep(100);
  }
  throw new Error("the worker did not start");
}

/** Adds prompts in batches and samples the worker's RSS until all are done. */
async function measureWorkerUnderLoad(baseUrl: string, workerPid: number) {
  const startedAt = now();
  for (let added = 0; added < loadPrompts; added += 1000) {
    const text = Array.from({ length: 1000 }, (_, i) => `load ${added + i}`);
    const response = await fetch(`${baseUrl}/api/prompts/batch`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "poem", text: text.join("\n") }),
    });
    if (response.status !== 201) {
      throw new Error(`POST /api/prompts/batch answered ${response.status}`);
    }
  }
  let peakRssMb = 0;
  for (;;) {
    peakRssMb = Math.max(peakRssMb, readRssMb(workerPid));
    const stats = (await (await fetch(`${baseUrl}/api/stats`)).json()) as {
      byStatus: Record<string, number>;
    };
    const left =
      (stats.byStatus.unprocessed ?? 0) + (stats.byStatus.processing ?? 0);
    if (left === 0) break;
    if (now() - startedAt > 120_000) throw new Error("the worker fell behind");
    await sleep(100);
  }
  const seconds = (now() - startedAt) / 1000;
  return { peakRssMb, perSecond: loadPrompts / seconds };
}
