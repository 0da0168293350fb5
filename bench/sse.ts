import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { openDatabase } from "@/db/client";
import { insertPrompt } from "@/db/prompts";
import { immediate } from "@/db/client";
import type { BenchContext } from "./lib/context";
import { median, type Figure } from "./lib/figures";
import {
  readCpuSeconds,
  readRssMb,
  readRunQueueWaitSeconds,
} from "./lib/processes";

// commit → SSE client latency through the real /api/events: a committer
// process claims prompts through db/claims.ts at a set rate, a clients
// process holds the open streams; both stamp times with the same wall clock.

const roundSeconds = 8;
const backlogSeconds = 12;
// BENCH_SSE_CLIENTS=1000 measures one client count (for profiling).
const clientCounts = (process.env.BENCH_SSE_CLIENTS ?? "1,100,1000")
  .split(",")
  .map(Number);
const p99TargetMs: Record<number, number | undefined> = { 100: 20, 1000: 60 };

type Report = {
  p50: number;
  p99: number;
  deliveries: number;
  missing: number;
  perEvent: number[];
  /** Share of one core the app and the clients process used. */
  serverCpu: number;
  clientCpu: number;
  /** Share of the time the app's main thread waited for a CPU. */
  serverWait: number;
};

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const claimsNeeded =
    ctx.runs * (clientCounts.length * 20 * roundSeconds + 100 * backlogSeconds);
  const workspace = ctx.workspace();
  addQueuedPrompts(workspace.dbPath, claimsNeeded + 100);
  const app = await ctx.startApp(workspace);
  const figures: Figure[] = [];
  const p99By = new Map<number, number[]>();

  for (const clients of clientCounts) {
    ctx.log(`sse: ${clients} clients at 20 events/s`);
    const stream = await openClients(app.baseUrl, clients);
    const rounds: Report[] = [];
    for (let r = 0; r < ctx.runs; r++) {
      rounds.push(
        await measureRound(
          stream,
          workspace.dbPath,
          app.serverPid,
          20,
          roundSeconds,
        ),
      );
    }
    p99By.set(
      clients,
      rounds.map((x) => x.p99),
    );
    figures.push(...latencyFigures(clients, rounds));
    if (clients === 1000) {
      figures.push(
        ...(await memoryAndBacklog(
          ctx,
          app.serverPid,
          stream,
          workspace.dbPath,
        )),
      );
    }
    stream.close();
  }

  if (!p99By.has(1) || !p99By.has(1000)) return figures;
  figures.push({
    name: "SSE p99 1000 ÷ 1 clients",
    unit: "×",
    isRatio: true,
    runs: p99By.get(1000)!.map((v, i) => v / p99By.get(1)![i]),
  });
  return figures;
}

function latencyFigures(clients: number, rounds: Report[]): Figure[] {
  const missing = rounds.reduce((sum, r) => sum + r.missing, 0);
  const expected = rounds.reduce((sum, r) => sum + r.deliveries + r.missing, 0);
  const cpu =
    `app CPU ${percent(rounds.map((r) => r.serverCpu))}, clients process ` +
    `${percent(rounds.map((r) => r.clientCpu))} of one core; the app ` +
    `waited for a CPU ${percent(rounds.map((r) => r.serverWait))} of the time`;
  return [
    {
      name: `commit → SSE p50, ${clients} client${clients > 1 ? "s" : ""}`,
      unit: "ms",
      runs: rounds.map((r) => r.p50),
    },
    {
      name: `commit → SSE p99, ${clients} client${clients > 1 ? "s" : ""}`,
      unit: "ms",
      runs: rounds.map((r) => r.p99),
      target:
        p99TargetMs[clients] !== undefined
          ? { max: p99TargetMs[clients] }
          : undefined,
      note: missing
        ? `${cpu}; ${missing} deliveries missing of ${expected}`
        : cpu,
    },
  ];
}

/**
 * With 1000 streams open: the app's resident memory, then 100 events/s,
 * comparing the delivery lag of the last events of each round with that of
 * the first (a backlog that grows shows as a lag that grows).
 */
async function memoryAndBacklog(
  ctx: BenchContext,
  serverPid: number,
  stream: Clients,
  dbPath: string,
): Promise<Figure[]> {
  const rss = readRssMb(serverPid);
  ctx.log(`sse: 1000 clients at 100 events/s`);
  const growth: number[] = [];
  const endLag: number[] = [];
  const p99: number[] = [];
  const serverCpu: number[] = [];
  const clientCpu: number[] = [];
  const serverWait: number[] = [];
  for (let r = 0; r < ctx.runs; r++) {
    const report = await measureRound(
      stream,
      dbPath,
      serverPid,
      100,
      backlogSeconds,
    );
    serverCpu.push(report.serverCpu);
    clientCpu.push(report.clientCpu);
    serverWait.push(report.serverWait);
    const fifth = Math.floor(report.perEvent.length / 5);
    const start = median(report.perEvent.slice(0, fifth));
    const end = median(report.perEvent.slice(-fifth));
    growth.push(end - start);
    endLag.push(end);
    p99.push(report.p99);
  }
  return [
    {
      name: "app RSS, 1000 open streams",
      unit: "MB",
      runs: [rss],
      target: { max: 300 },
    },
    {
      name: "SSE p99, 1000 clients at 100 events/s",
      unit: "ms",
      runs: p99,
    },
    {
      name: "SSE lag growth (last − first fifth), 100 ev/s",
      unit: "ms",
      runs: growth,
      target: { max: 50 },
      note:
        `median lag at the end ${median(endLag).toFixed(1)} ms; app CPU ` +
        `${percent(serverCpu)}, clients process ${percent(clientCpu)} ` +
        `of one core; the app waited for a CPU ${percent(serverWait)}`,
    },
  ];
}

function percent(shares: number[]) {
  return `${(median(shares) * 100).toFixed(0)}%`;
}

/** Prompts for the committer to claim, added before the app starts. */
function addQueuedPrompts(dbPath: string, count: number) {
  const db = openDatabase(dbPath);
  const now = new Date();
  db.transaction((tx) => {
    for (let i = 0; i < count; i++) {
      insertPrompt(tx, { type: "poem", text: `bench ${i}`, priority: 0 }, now);
    }
  }, immediate);
  db.$client.close();
}

type Clients = {
  pid: number;
  report(commits: [number, number][]): Promise<Report>;
  close(): void;
};

const childOptions = {
  execArgv: ["--import", "tsx"],
  stdio: ["ignore", "inherit", "inherit", "ipc"] as const,
  cwd: path.resolve(import.meta.dirname, ".."),
};

async function openClients(baseUrl: string, count: number): Promise<Clients> {
  const child = fork(
    path.join(import.meta.dirname, "sse/clients.ts"),
    [baseUrl, String(count)],
    { ...childOptions, stdio: [...childOptions.stdio] },
  );
  await nextMessage(child, "ready", 60_000);
  return {
    pid: child.pid!,
    async report(commits) {
      const reply = nextMessage(child, "report", 60_000);
      child.send({ type: "report", commits });
      return (await reply) as unknown as Report;
    },
    close: () => child.send({ type: "close" }),
  };
}

async function measureRound(
  clients: Clients,
  dbPath: string,
  serverPid: number,
  rate: number,
  seconds: number,
): Promise<Report> {
  const cpuBefore = [readCpuSeconds(serverPid), readCpuSeconds(clients.pid)];
  const waitBefore = readRunQueueWaitSeconds(serverPid);
  const startedAt = performance.now();
  const committer = fork(
    path.join(import.meta.dirname, "sse/committer.ts"),
    [dbPath, String(rate), String(rate * seconds)],
    { ...childOptions, stdio: [...childOptions.stdio] },
  );
  const { commits } = (await nextMessage(committer, undefined, 120_000)) as {
    commits: [number, number][];
  };
  const cpuAfter = [readCpuSeconds(serverPid), readCpuSeconds(clients.pid)];
  const waitAfter = readRunQueueWaitSeconds(serverPid);
  // On a busy machine the committer may take longer than planned.
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  // Give the last events time to arrive before counting.
  await new Promise((r) => setTimeout(r, 1000));
  const report = await clients.report(commits);
  report.serverCpu = (cpuAfter[0] - cpuBefore[0]) / elapsedSeconds;
  report.clientCpu = (cpuAfter[1] - cpuBefore[1]) / elapsedSeconds;
  report.serverWait = (waitAfter - waitBefore) / elapsedSeconds;
  const { perEvent, ...summary } = report;
  process.stderr.write(
    `  ${rate} events/s: ${JSON.stringify(summary)}, ${perEvent.length} events\n`,
  );
  return report;
}

function nextMessage(
  child: ChildProcess,
  type: string | undefined,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${type ?? "result"} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: Record<string, unknown>) => {
      if (message.type === "error") {
        process.stderr.write(`sse client: ${String(message.message)}\n`);
        return;
      }
      if (type !== undefined && message.type !== type) return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve(message);
    };
    child.on("message", onMessage);
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`child exited with ${code}`));
    });
  });
}
