/**
 * Queue overhead: prompts per second through the real worker loop with a
 * writer that answers at once, at 10k and 1M rows, in one worker process
 * and in two; beside the raw single-row commit rate and plainjob, measured
 * in the same run. Also WAL pages written per prompt (checkpoints off),
 * busy errors and claim latency with two workers.
 *
 * Alone: `npx tsx bench/queue.ts` (BENCH_RUNS, BENCH_QUEUED,
 * BENCH_WRITE_CONCURRENCY, BENCH_SIZES=10000,1000000 to change the shape).
 */
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type Database from "better-sqlite3";
import { better, defineQueue, defineWorker, type Logger } from "plainjob";
import { openDatabase } from "../db/client";
import { formatTable, percentile, toRow, type Figure } from "./lib/figures";
import { seedFinishedPrompts, seedQueuedPrompts } from "./queue-seed";
import type { WorkerReport } from "./queue-worker";

export type QueueBenchContext = {
  /** Runs of each measure; the figure is their median. */
  runs?: number;
  /** Prompts (and plainjob jobs, and raw rows) processed per run. */
  queued?: number;
  /** Finished prompts already in the database, one measure per size. */
  sizes?: number[];
  writeConcurrency?: number;
  /** Where the temporary databases go (removed at the end). */
  tmpDir?: string;
  progress?: (line: string) => void;
  /** The runner's progress line (used when `progress` is not given). */
  log?: (line: string) => void;
};

const workerEntry = fileURLToPath(
  new URL("./queue-worker.ts", import.meta.url),
);

function openBenchDatabase(file: string): Database.Database {
  const sqlite = openDatabase(file).$client;
  sqlite.pragma("wal_autocheckpoint = 0");
  return sqlite;
}

function walBytes(sqlite: Database.Database): number {
  try {
    return fs.statSync(`${sqlite.name}-wal`).size;
  } catch {
    return 0;
  }
}

function walFrameBytes(sqlite: Database.Database): number {
  return Number(sqlite.pragma("page_size", { simple: true })) + 24;
}

/** Raw reference: one INSERT per transaction, prepared once. */
function measureRawCommits(file: string, rows: number): number {
  const sqlite = openBenchDatabase(file);
  sqlite.exec(
    "CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER PRIMARY KEY, v TEXT)",
  );
  const insert = sqlite.prepare("INSERT INTO bench_rows (v) VALUES (?)");
  const startedAt = performance.now();
  for (let i = 0; i < rows; i++) insert.run(`row ${i}`);
  const seconds = (performance.now() - startedAt) / 1000;
  sqlite.close();
  return rows / seconds;
}

/**
 * The floor of the product's own writes: the statements a poem's two
 * transitions make (event rows, lease, writing, status), with every index
 * and trigger of the real schema, as prepared SQL in one loop with claims
 * and records batched 32 to a transaction as the worker does. No worker
 * code, no JavaScript between statements beyond the loop: what the queue
 * costs if its code were free.
 */
function measureSchemaFloor(
  file: string,
  queued: number,
  options: { withoutSearch: boolean },
): number {
  const sqlite = openBenchDatabase(file);
  seedQueuedPrompts(sqlite, queued);
  if (options.withoutSearch) {
    // What keeping the search index in the same transaction costs: the
    // two triggers a finished writing fires.
    sqlite.exec("DROP TRIGGER prompt_search_prompt_update");
    sqlite.exec("DROP TRIGGER prompt_search_writing_insert");
  }
  const ids = (
    sqlite
      .prepare(
        "SELECT id FROM prompts WHERE status = 'unprocessed' ORDER BY id",
      )
      .all() as { id: number }[]
  ).map((row) => row.id);
  const addEvent = sqlite.prepare(
    `INSERT INTO prompt_events (prompt_id, from_status, to_status, reason,
       worker_id, created_at) VALUES (?, ?, ?, ?, 'floor', ?) RETURNING id`,
  );
  const claimRow = sqlite.prepare(
    `UPDATE prompts SET status = 'processing', attempts = attempts + 1,
       lease_owner = 'floor', lease_token = ?, lease_expires_at = ?,
       last_event_id = ?, updated_at = ? WHERE id = ? AND status = 'unprocessed'
     RETURNING *`,
  );
  const checkLease = sqlite.prepare(
    "SELECT lease_token FROM prompts WHERE id = ?",
  );
  const addWriting = sqlite.prepare(
    `INSERT INTO writings (prompt_id, format, content, backend, created_at)
     VALUES (?, 'text', ?, 'floor', ?) RETURNING id`,
  );
  const completeRow = sqlite.prepare(
    `UPDATE prompts SET status = 'completed', output_reference = ?,
       lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
       last_event_id = ?, updated_at = ? WHERE id = ? AND lease_token = ?
     RETURNING *`,
  );
  const claimBatch = sqlite.transaction((batch: number[]) => {
    const now = Date.now();
    for (const id of batch) {
      const event = addEvent.get(
        id,
        "unprocessed",
        "processing",
        "writing started",
        now,
      ) as { id: number };
      claimRow.get(`lease-${id}`, now + 60_000, event.id, now, id);
    }
  });
  const recordBatch = sqlite.transaction((batch: number[]) => {
    const now = Date.now();
    for (const id of batch) {
      checkLease.get(id);
      const writing = addWriting.get(id, `written at once ${id}`, now) as {
        id: number;
      };
      const event = addEvent.get(
        id,
        "processing",
        "completed",
        "writing finished",
        now,
      ) as { id: number };
      completeRow.get(writing.id, event.id, now, id, `lease-${id}`);
    }
  });
  const startedAt = performance.now();
  for (let i = 0; i < ids.length; i += 32) {
    const batch = ids.slice(i, i + 32);
    claimBatch(batch);
    recordBatch(batch);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const left = sqlite
    .prepare("SELECT count(*) AS n FROM prompts WHERE status != 'completed'")
    .get() as { n: number };
  sqlite.close();
  if (left.n !== 0) throw new Error(`schema floor left ${left.n} prompts`);
  return ids.length / seconds;
}

const silent: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
};

type PlainjobRun = { total: number; process: number; walPages: number };

/** plainjob: enqueue `jobs` one by one, then one worker runs a no-op. */
async function measurePlainjob(
  file: string,
  jobs: number,
): Promise<PlainjobRun> {
  const sqlite = openBenchDatabase(file);
  const queue = defineQueue({
    connection: better(sqlite),
    logger: silent,
    maintenanceInterval: 3_600_000,
  });
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  const startedAt = performance.now();
  for (let i = 0; i < jobs; i++) queue.add("bench", { i });
  const enqueuedAt = performance.now();
  const walBefore = walBytes(sqlite);

  let done = 0;
  let worker: { stop(): Promise<void> } | null = null;
  await new Promise<void>((resolve) => {
    worker = defineWorker("bench", () => {}, {
      queue,
      logger: silent,
      onCompleted: () => {
        if (++done === jobs) resolve();
      },
    });
    void (worker as unknown as { start(): Promise<void> }).start();
  });
  const endedAt = performance.now();
  const walPages =
    (walBytes(sqlite) - walBefore) / walFrameBytes(sqlite) / jobs;
  await worker!.stop();
  queue.close();
  sqlite.close();
  return {
    total: jobs / ((endedAt - startedAt) / 1000),
    process: jobs / ((endedAt - enqueuedAt) / 1000),
    walPages,
  };
}

type PoetsRun = {
  promptsPerSecond: number;
  walPagesPerPrompt: number;
  /** Every claim transaction but each process's first. */
  claimMs: number[];
  /** The slowest first claim of a process. */
  firstClaimMs: number;
  busyErrors: number;
  errors: number;
};

function startWorker(env: NodeJS.ProcessEnv) {
  const child = fork(workerEntry, [], {
    // BENCH_WORKER_ARGS="--cpu-prof" profiles the worker processes.
    execArgv: [
      "--import",
      "tsx",
      ...(process.env.BENCH_WORKER_ARGS?.split(" ").filter(Boolean) ?? []),
    ],
    env,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`worker exited ${code}`)));
  });
  const report = new Promise<WorkerReport>((resolve, reject) => {
    child.on("message", (message) => {
      if ("endedAt" in (message as object)) resolve(message as WorkerReport);
    });
    child.once("exit", (code) =>
      reject(new Error(`worker exited ${code} before reporting`)),
    );
  });
  return { child, ready, report };
}

/** One run: queue `queued` poems, let `processes` workers drain them. */
async function measurePoets(
  sqlite: Database.Database,
  options: { queued: number; processes: number; env: NodeJS.ProcessEnv },
): Promise<PoetsRun> {
  seedQueuedPrompts(sqlite, options.queued);
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  const workers = Array.from({ length: options.processes }, () =>
    startWorker(options.env),
  );
  await Promise.all(workers.map((worker) => worker.ready));

  const walBefore = walBytes(sqlite);
  const goAt = Date.now();
  for (const worker of workers) worker.child.send("go");
  const reports = await Promise.all(workers.map((worker) => worker.report));
  const endedAt = Math.max(...reports.map((report) => report.endedAt));
  const walPages = (walBytes(sqlite) - walBefore) / walFrameBytes(sqlite);

  assertDrained(sqlite, reports, options.queued);
  return {
    promptsPerSecond: options.queued / ((endedAt - goAt) / 1000),
    walPagesPerPrompt: walPages / options.queued,
    // A process's first claim also prepares the statements it reuses.
    claimMs: reports.flatMap((report) => report.claimMs.slice(1)),
    firstClaimMs: Math.max(...reports.map((report) => report.claimMs[0])),
    busyErrors: sum(reports.map((report) => report.busyErrors)),
    errors: sum(reports.map((report) => report.errors)),
  };
}

type PeerRun = {
  raw: number;
  plainjob: PlainjobRun;
  floor: number;
  floorWithoutSearch: number;
};

async function measurePeerRun(
  tmpDir: string,
  index: number,
  queued: number,
): Promise<PeerRun> {
  const raw = measureRawCommits(
    path.join(tmpDir, `raw-${index}.db`),
    queued * 2,
  );
  const plainjob = await measurePlainjob(
    path.join(tmpDir, `plainjob-${index}.db`),
    queued,
  );
  const floor = measureSchemaFloor(
    path.join(tmpDir, `floor-${index}.db`),
    queued,
    { withoutSearch: false },
  );
  const floorWithoutSearch = measureSchemaFloor(
    path.join(tmpDir, `floor-bare-${index}.db`),
    queued,
    { withoutSearch: true },
  );
  for (const name of [
    `raw-${index}.db`,
    `plainjob-${index}.db`,
    `floor-${index}.db`,
    `floor-bare-${index}.db`,
  ]) {
    for (const suffix of ["", "-wal", "-shm"]) {
      fs.rmSync(path.join(tmpDir, name + suffix), { force: true });
    }
  }
  return { raw, plainjob, floor, floorWithoutSearch };
}

function peerFigures(peers: PeerRun[]): Figure[] {
  return [
    {
      name: "raw single-row commits",
      unit: "commits/s",
      runs: peers.map((p) => p.raw),
    },
    {
      name: "plainjob: enqueue + process",
      unit: "jobs/s",
      runs: peers.map((p) => p.plainjob.total),
    },
    {
      name: "plainjob: process (no-op job)",
      unit: "jobs/s",
      runs: peers.map((p) => p.plainjob.process),
    },
    {
      name: "schema floor: a poem's writes as bare SQL",
      unit: "prompts/s",
      runs: peers.map((p) => p.floor),
    },
    {
      name: "schema floor ÷ plainjob (process)",
      unit: "×",
      runs: peers.map((p) => p.floor / p.plainjob.process),
      isRatio: true,
    },
    {
      name: "schema floor without the search index ÷ plainjob",
      unit: "×",
      runs: peers.map((p) => p.floorWithoutSearch / p.plainjob.process),
      isRatio: true,
    },
    {
      name: "plainjob: WAL pages per job",
      unit: "pages",
      runs: peers.map((p) => p.plainjob.walPages),
    },
  ];
}

function queueFigures(
  label: string,
  results: (PoetsRun & { ratio: number; ofFloor: number })[],
): Figure[] {
  const figures: Figure[] = [
    {
      name: `queue: ${label}`,
      unit: "prompts/s",
      runs: results.map((r) => r.promptsPerSecond),
    },
    {
      name: `queue ÷ plainjob (process): ${label}`,
      unit: "×",
      runs: results.map((r) => r.ratio),
      target: { min: 1 },
      isRatio: true,
    },
    {
      name: `queue ÷ schema floor: ${label}`,
      unit: "×",
      runs: results.map((r) => r.ofFloor),
      isRatio: true,
    },
    {
      name: `WAL pages per prompt: ${label}`,
      unit: "pages",
      runs: results.map((r) => r.walPagesPerPrompt),
      target: { max: 16 },
    },
  ];
  if (label.endsWith("workers")) {
    figures.push(
      {
        name: `claim p99: ${label}`,
        unit: "ms",
        runs: results.map((r) => percentile(r.claimMs, 99)),
        target: { max: 5 },
        note: "each process's first claim left out (it prepares the statements); see the next figure",
      },
      {
        name: `first claim of a process: ${label}`,
        unit: "ms",
        runs: results.map((r) => r.firstClaimMs),
      },
      {
        name: `busy errors: ${label}`,
        unit: "errors",
        runs: results.map((r) => r.busyErrors),
        target: { max: 0 },
      },
    );
  }
  return figures;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Every queued poem written once, with its claim and completion events. */
function assertDrained(
  sqlite: Database.Database,
  reports: WorkerReport[],
  queued: number,
) {
  const left = sqlite
    .prepare("SELECT count(*) AS n FROM prompts WHERE status != 'completed'")
    .get() as { n: number };
  const claimed = sum(reports.map((report) => report.claimed));
  if (left.n !== 0 || claimed !== queued) {
    throw new Error(
      `queue not drained: ${left.n} prompts left, ${claimed} of ${queued} claimed`,
    );
  }
}

function workerEnv(file: string, tmpDir: string, writeConcurrency: number) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_PATH: file,
    ARTIFACTS_DIR: path.join(tmpDir, "artifacts"),
    RUN_DIR: path.join(tmpDir, "run"),
    WRITE_CONCURRENCY: String(writeConcurrency),
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
    NODE_ENV: "production",
  };
  for (const name of ["LLM_BASE_URL", "LLM_MODEL", "COMFYUI_URL"]) {
    delete env[name];
  }
  return env;
}

const sizeName = (rows: number) =>
  rows >= 1_000_000 ? `${rows / 1_000_000}M` : `${rows / 1000}k`;

/** A setting that must be a whole number of at least 1, if given. */
function numberFrom(value: string | undefined, name = "setting") {
  if (value === undefined || value === "") return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new Error(
      `${name} takes a whole number of at least 1, not "${value}"`,
    );
  }
  return number;
}

/** Measures the queue; returns one figure per measure and ratio. */
export async function run(ctx: QueueBenchContext = {}): Promise<Figure[]> {
  const runs =
    ctx.runs ?? numberFrom(process.env.BENCH_RUNS, "BENCH_RUNS") ?? 3;
  const queued =
    ctx.queued ??
    numberFrom(process.env.BENCH_QUEUED, "BENCH_QUEUED") ??
    10_000;
  const sizes = ctx.sizes ??
    process.env.BENCH_SIZES?.split(",").map((size) =>
      numberFrom(size, "BENCH_SIZES")!,
    ) ?? [10_000, 1_000_000];
  const writeConcurrency =
    ctx.writeConcurrency ??
    numberFrom(
      process.env.BENCH_WRITE_CONCURRENCY,
      "BENCH_WRITE_CONCURRENCY",
    ) ??
    64;
  const progress = ctx.progress ?? ctx.log ?? (() => {});
  const tmpDir = fs.mkdtempSync(
    path.join(ctx.tmpDir ?? os.tmpdir(), "poets-bench-queue-"),
  );

  try {
    const figures: Figure[] = [];
    const peers: PeerRun[] = [];
    // The peers run right before each queue run, so each ratio compares
    // two figures taken under the same load (the machine is shared).
    const measurePeers = async () => {
      const peer = await measurePeerRun(tmpDir, peers.length, queued);
      peers.push(peer);
      progress(
        `raw ${peer.raw.toFixed(0)}/s, plainjob ${peer.plainjob.process.toFixed(0)}/s, ` +
          `schema floor ${peer.floor.toFixed(0)}/s`,
      );
      return peer;
    };

    // A first round of the peers, not counted: the first run of each is
    // slower (code not yet optimised, files not yet in the page cache).
    await measurePeerRun(tmpDir, -1, Math.min(queued, 2000));
    // Each size's one-worker rates, run by run.
    const bySize = new Map<number, number[]>();
    for (const size of sizes) {
      const file = path.join(tmpDir, `poets-${size}.db`);
      const sqlite = openBenchDatabase(file);
      const seededAt = performance.now();
      seedFinishedPrompts(sqlite, size);
      progress(
        `seeded ${size} in ${((performance.now() - seededAt) / 1000).toFixed(1)} s`,
      );
      const env = workerEnv(file, tmpDir, writeConcurrency);

      for (const processes of [1, 2]) {
        const results: (PoetsRun & { ratio: number; ofFloor: number })[] = [];
        for (let i = 0; i < runs; i++) {
          const peer = await measurePeers();
          const run = await measurePoets(sqlite, { queued, processes, env });
          results.push({
            ...run,
            ratio: run.promptsPerSecond / peer.plainjob.process,
            ofFloor: run.promptsPerSecond / peer.floor,
          });
          progress(
            `${sizeName(size)} × ${processes}: ${run.promptsPerSecond.toFixed(0)}/s, ` +
              `${run.walPagesPerPrompt.toFixed(1)} pages, claim p99 ` +
              `${percentile(run.claimMs, 99).toFixed(2)} ms, busy ${run.busyErrors}`,
          );
        }
        const label = `${sizeName(size)} rows, ${processes} worker${processes > 1 ? "s" : ""}`;
        figures.push(...queueFigures(label, results));
        if (processes === 1) {
          bySize.set(
            size,
            results.map((r) => r.promptsPerSecond),
          );
        }
      }
      sqlite.close();
    }
    figures.unshift(...peerFigures(peers));

    const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
    if (small !== large) {
      const largeRuns = bySize.get(large)!;
      const smallRuns = bySize.get(small)!;
      figures.push({
        name: `queue ${sizeName(large)} ÷ ${sizeName(small)} rows, 1 worker`,
        unit: "×",
        runs: largeRuns.map((rate, i) => rate / smallRuns[i]),
        target: { min: 0.85 },
        isRatio: true,
      });
    }
    return figures;
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const print = (figures: Figure[]) =>
    console.log(formatTable(figures.map(toRow)));
  run({ progress: (line) => console.log(line) }).then(print, (error) => {
    console.error(error);
    process.exit(1);
  });
}
