// What GET /api/stats costs at a million prompts, before (grouped count(*),
// a count of the last hour's events, a walk back over prompt_events) and
// after (the counters that migration 0010's triggers keep), and what those
// triggers cost each transition: time and WAL pages.
//
//   npx tsx bench/stats-cost.ts [--count 1000000] [--reads 200] [--cycles 2000]
//     [--http]   also GET /api/stats from `next start` (builds it if needed)

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  claimNextPrompt,
  recordArtifacts,
  recordWriting,
  type Stage,
} from "@/db/claims";
import { openDatabase, type Db } from "@/db/client";
import { countPrompts, createPrompt } from "@/db/prompts";
import { countFinishedSince, readStageDurations } from "@/db/stats";
import { isMediaType } from "@/lib/prompt-types";
import { buildIfNeeded } from "@/scripts/build-if-needed";
import { startApp } from "@/test/helpers/processes";
import { seedPrompts } from "./seed";

const hourMs = 3_600_000;

const { values: args } = parseArgs({
  options: {
    count: { type: "string", default: "1000000" },
    reads: { type: "string", default: "200" },
    cycles: { type: "string", default: "2000" },
    http: { type: "boolean", default: false },
  },
});

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "poets-stats-cost-"));
  try {
    const db = openDatabase(path.join(dir, "poets.db"));
    seed(db, Number(args.count));
    compareReads(db, Number(args.reads));
    if (args.http) await readOverHttp(dir, Number(args.reads));
    measureTriggers(db, Number(args.cycles));
    db.$client.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** GET /api/stats from the production server, one request at a time. */
async function readOverHttp(dir: string, reads: number) {
  buildIfNeeded();
  const app = await startApp({
    DATABASE_PATH: path.join(dir, "poets.db"),
    ARTIFACTS_DIR: path.join(dir, "artifacts"),
    RUN_DIR: path.join(dir, "run"),
    LOG_LEVEL: "warn",
  });
  try {
    const timeGets = async (route: string) => {
      const get = async () => {
        const response = await fetch(`${app.baseUrl}${route}`);
        if (!response.ok) throw new Error(`GET ${route}: ${response.status}`);
        await response.json();
      };
      for (let i = 0; i < 20; i += 1) await get(); // compiled, cached
      const samples: number[] = [];
      for (let i = 0; i < reads / 2; i += 1) {
        const started = performance.now();
        await get();
        samples.push(performance.now() - started);
      }
      return samples;
    };
    // Interleaved, so that both see the same load on a shared machine.
    const stats: number[] = [];
    const auth: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      stats.push(...(await timeGets("/api/stats")));
      auth.push(...(await timeGets("/api/auth")));
    }
    print("\nThrough HTTP (next start), one request at a time (ms)");
    table(
      ["read", "p50", "p99"],
      [
        ["GET /api/stats", ...ms(stats)],
        ["GET /api/auth (no database read, for scale)", ...ms(auth)],
      ],
    );
  } finally {
    await app.stop();
  }
}

function seed(db: Db, count: number) {
  const summary = seedPrompts(db, { count });
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  const seconds = (summary.ms / 1000).toFixed(1);
  print(
    `seeded ${summary.count} prompts, ${summary.events} events in ${seconds} s`,
  );
}

// ---- reads -----------------------------------------------------------------

/** The stats reads as they were before the counters (db/stats.ts, 0009). */
const before = {
  counts(db: Db) {
    const sqlite = db.$client;
    const groups = (column: string) =>
      sqlite
        .prepare(
          `SELECT ${column} AS key, count(*) AS count FROM prompts
           WHERE ${column} IS NOT NULL GROUP BY ${column}`,
        )
        .all();
    return sqlite.transaction(() => [
      groups("status"),
      groups("artifact_status"),
      groups("type"),
    ])();
  },
  finishedSince(db: Db, sinceMs: number): number {
    const sqlite = db.$client;
    const range = sqlite
      .prepare("SELECT min(id) AS low, max(id) AS high FROM prompt_events")
      .get() as { low: number | null; high: number | null };
    if (range.low === null || range.high === null) return 0;
    const probe = sqlite.prepare(
      "SELECT id, created_at FROM prompt_events WHERE id >= ? ORDER BY id LIMIT 1",
    );
    let [low, high] = [range.low, range.high];
    let found: number | null = null;
    while (low <= high) {
      const middle = Math.floor((low + high) / 2);
      const event = probe.get(middle) as
        { id: number; created_at: number } | undefined;
      if (!event || event.id > high) high = middle - 1;
      else if (event.created_at >= sinceMs) {
        found = event.id;
        high = middle - 1;
      } else low = event.id + 1;
    }
    if (found === null) return 0;
    const row = sqlite
      .prepare(
        `SELECT count(*) AS count FROM prompt_events
         WHERE id >= ? AND to_status = 'completed'
           AND (to_artifact_status IS NULL OR to_artifact_status = 'ready')`,
      )
      .get(found) as { count: number };
    return row.count;
  },
  /** The walk back; `stageEnd` 'failed' finds no run: the whole table. */
  durations(db: Db, stageEnd: string | null) {
    return db.$client
      .prepare(
        `SELECT e.created_at - (
           SELECT s.created_at FROM prompt_events s
           WHERE s.prompt_id = e.prompt_id AND s.id < e.id
           ORDER BY s.id DESC LIMIT 1) AS duration_ms
         FROM prompt_events e
         WHERE e.from_status = 'processing' AND e.to_status = 'completed'
           AND e.from_artifact_status IS ?
         ORDER BY e.id DESC LIMIT 500`,
      )
      .all(stageEnd);
  },
};

function compareReads(db: Db, reads: number) {
  const now = Date.now();
  checkCountersAgree(db, now);

  const old = timed(reads, () => {
    before.counts(db);
    before.finishedSince(db, now - hourMs);
    before.durations(db, null);
    before.durations(db, "processing");
  });
  const counted = timed(Math.max(5, reads / 20), () => before.counts(db));
  const fullWalk = timed(5, () => before.durations(db, "failed"));
  const fresh = timed(reads * 5, () => {
    countPrompts(db);
    countFinishedSince(db, new Date(now - hourMs));
    readStageDurations(db);
  });

  print("\nGET /api/stats figures, read in this process (ms)");
  table(
    ["read", "p50", "p99"],
    [
      ["before: all of them", ...ms(old)],
      ["before: grouped count(*) only", ...ms(counted)],
      ["before: the walk when no run is near the end", ...ms(fullWalk)],
      ["after: counters, minutes, ring", ...ms(fresh)],
    ],
  );
  print(
    `after is ${(quantile(old, 0.5) / quantile(fresh, 0.5)).toFixed(0)}× faster at p50`,
  );
}

function checkCountersAgree(db: Db, now: number) {
  const sqlite = db.$client;
  const grouped = before.counts(db) as { key: string; count: number }[][];
  const counts = countPrompts(db);
  const same = [counts.byStatus, counts.byArtifactStatus, counts.byType].every(
    (byValue, i) =>
      grouped[i].length === Object.keys(byValue).length &&
      grouped[i].every(
        (row) => (byValue as Record<string, number>)[row.key] === row.count,
      ),
  );
  const minuteStart = Math.floor((now - hourMs) / 60_000) * 60_000;
  const finished = before.finishedSince(db, minuteStart);
  const fromCounters = countFinishedSince(db, new Date(now - hourMs));
  if (!same || finished !== fromCounters) {
    throw new Error("the counters disagree with count(*)");
  }
  const total = sqlite.prepare("SELECT count(*) AS n FROM prompts").get();
  print(
    `counters agree with count(*) (${JSON.stringify(total)}), last hour ${finished}`,
  );
}

// ---- triggers --------------------------------------------------------------

const statsTriggers = [
  "stats_counts_prompt_insert",
  "stats_counts_prompt_status",
  "stats_counts_prompt_artifact_status",
  "stats_counts_prompt_type",
  "stats_counts_prompt_delete",
  "finished_minutes_event_insert",
  "finished_minutes_event_delete",
  "finished_minutes_prune",
  "stage_runs_event_insert",
];

/**
 * Runs whole prompt lives (submit, claim, write; a third of them media, also
 * claim and render), alternately with and without the stats triggers,
 * checkpoints off, and reports time and WAL pages per transition: through
 * the real functions (drizzle prepares each statement per call, and that
 * prepare compiles the triggers too), and through statements prepared once.
 */
function measureTriggers(db: Db, cycles: number) {
  const sqlite = db.$client;
  sqlite.pragma("wal_autocheckpoint = 0");
  const triggers = sqlite
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'trigger'
       AND name IN (${statsTriggers.map(() => "?").join(", ")})`,
    )
    .all(...statsTriggers) as { name: string; sql: string }[];
  const variants = {
    with: () => {},
    without: () => {
      for (const t of triggers) sqlite.exec(`DROP TRIGGER ${t.name}`);
      return () => triggers.forEach((t) => sqlite.exec(t.sql));
    },
  };
  const rows: string[][] = [];
  for (const [path, runLives] of [
    ["real functions", runLivesThroughFunctions],
    ["prepared once", runLivesPrepared],
  ] as const) {
    const totals = { with: emptyTotals(), without: emptyTotals() };
    for (let round = 0; round < 6; round += 1) {
      for (const variant of ["with", "without"] as const) {
        const restore = variants[variant]();
        sqlite.pragma("wal_checkpoint(TRUNCATE)");
        const run = runLives(db, Math.ceil(cycles / 6), `${path}${round}`);
        add(totals[variant], run, walPages(db));
        restore?.();
      }
    }
    rows.push(row(`${path}, with`, totals.with));
    rows.push(row(`${path}, without`, totals.without));
  }
  sqlite.pragma("wal_autocheckpoint = 1000");

  print("\nA transition, with and without the stats triggers, checkpoints off");
  table(
    [
      "path, stats triggers",
      "µs/transition",
      "WAL pages/transition",
      "WAL pages/prompt",
    ],
    rows,
  );
}

function walPages(db: Db): number {
  const sqlite = db.$client;
  const pageBytes = Number(sqlite.pragma("page_size", { simple: true }));
  const walBytes = fs.statSync(`${sqlite.name}-wal`).size;
  return Math.max(0, walBytes - 32) / (pageBytes + 24);
}

function row(name: string, t: Totals): string[] {
  return [
    name,
    ((t.ms * 1000) / t.transitions).toFixed(1),
    (t.pages / t.transitions).toFixed(2),
    (t.pages / t.prompts).toFixed(1),
  ];
}

type Totals = {
  ms: number;
  transitions: number;
  prompts: number;
  pages: number;
};

function emptyTotals(): Totals {
  return { ms: 0, transitions: 0, prompts: 0, pages: 0 };
}

function add(totals: Totals, run: Omit<Totals, "pages">, pages: number) {
  totals.ms += run.ms;
  totals.transitions += run.transitions;
  totals.prompts += run.prompts;
  totals.pages += pages;
}

function runLivesThroughFunctions(db: Db, count: number, round: string) {
  let transitions = 0;
  const claim = (stage: Stage) =>
    claimNextPrompt(db, { workerId: "bench", leaseMs: 60_000, stage });
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const type = i % 3 === 0 ? "image_prompt" : "poem";
    createPrompt(db, { type, text: `rain ${round} ${i}`, priority: 1000 });
    const writing = claim("write")!;
    const media = isMediaType(writing.prompt.type);
    recordWriting(db, writing, {
      format: media ? "json" : "text",
      content: media ? '{"title":"t","prompt":"p"}' : "lines",
      backend: "bench",
    });
    transitions += 3;
    if (!media) continue;
    const render = claim("render")!;
    recordArtifacts(db, render, [
      {
        kind: "image",
        mimeType: "image/png",
        fileName: `bench-${round}-${render.prompt.id}-${i}.png`,
        sizeBytes: 1,
        sha256: "x",
        backend: "bench",
      },
    ]);
    transitions += 2;
  }
  return { ms: performance.now() - started, transitions, prompts: count };
}

/**
 * The same lives as plain statements prepared once: each transition an
 * event row and the prompt row that points at it, in its own transaction.
 */
function runLivesPrepared(db: Db, count: number, round: string) {
  const sqlite = db.$client;
  const insertPrompt = sqlite.prepare(
    `INSERT INTO prompts (type, text, seed, created_at, updated_at)
     VALUES (?, ?, 1, ?, ?)`,
  );
  const insertEvent = sqlite.prepare(
    `INSERT INTO prompt_events (prompt_id, from_status, from_artifact_status,
       to_status, to_artifact_status, reason, created_at)
     VALUES (?, ?, ?, ?, ?, 'bench', ?)`,
  );
  const setState = sqlite.prepare(
    `UPDATE prompts SET status = ?, artifact_status = ?, last_event_id = ?,
       updated_at = ? WHERE id = ?`,
  );
  const change = sqlite.transaction(
    (id: number, from: State | null, to: State) => {
      const now = Date.now();
      const eventId = insertEvent.run(
        id,
        ...(from ?? [null, null]),
        ...to,
        now,
      ).lastInsertRowid;
      setState.run(...to, eventId, now, id);
    },
  );
  const submit = sqlite.transaction((media: boolean, text: string) => {
    const now = Date.now();
    const type = media ? "image_prompt" : "poem";
    const id = Number(insertPrompt.run(type, text, now, now).lastInsertRowid);
    change(id, null, ["unprocessed", null]);
    return id;
  });

  let transitions = 0;
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const media = i % 3 === 0;
    const id = submit.immediate(media, `rain ${round} ${i}`);
    change.immediate(id, ["unprocessed", null], ["processing", null]);
    const written: State = ["completed", media ? "pending" : null];
    change.immediate(id, ["processing", null], written);
    transitions += 3;
    if (!media) continue;
    change.immediate(id, written, ["processing", "processing"]);
    change.immediate(id, ["processing", "processing"], ["completed", "ready"]);
    transitions += 2;
  }
  return { ms: performance.now() - started, transitions, prompts: count };
}

type State = [string, string | null];

// ---- printing --------------------------------------------------------------

function timed(times: number, read: () => unknown): number[] {
  read(); // statements prepared, pages cached
  return Array.from({ length: Math.ceil(times) }, () => {
    const started = performance.now();
    read();
    return performance.now() - started;
  });
}

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function ms(samples: number[]): [string, string] {
  return [
    quantile(samples, 0.5).toFixed(3),
    quantile(samples, 0.99).toFixed(3),
  ];
}

function table(header: string[], rows: string[][]) {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => r[i].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ");
  print(line(header));
  for (const r of rows) print(line(r));
}

function print(message: string) {
  process.stdout.write(`${message}\n`);
}

await main();
