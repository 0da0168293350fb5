import type Database from "better-sqlite3";
import type { Db } from "@/db/client";
import { isMediaType, type PromptType } from "@/lib/prompt-types";

// Fills a database with prompts the way an import script would: plain SQL,
// prepared statements, one transaction per chunk. Every row goes through the
// triggers that guard statuses and keep the stats counters, so what the
// benchmark reads afterwards is what a real queue of that size would hold.
// To be quick, the secondary indexes no trigger reads are built once at the
// end, the search index is filled once at the end (as migration 0009 fills
// it), and foreign keys go unchecked (every row points at one just made).
// Each prompt gets the events of its life in time order (ids rise with
// time, as in a real queue), a writing when stage 1 finished and a file row
// when stage 2 did.

export type SeedOptions = {
  count: number;
  /** No prompt left waiting for either stage: a worker finds no work. */
  finishedOnly?: boolean;
  /** The newest prompt's time; the others are spread over `spanMs` before. */
  nowMs?: number;
  spanMs?: number;
  /** Same seed, same prompts. */
  randomSeed?: number;
};

export type SeedSummary = { count: number; events: number; ms: number };

type Outcome =
  | "waiting"
  | "written"
  | "write failed"
  | "cancelled"
  | "ready"
  | "render waiting"
  | "render failed";

type Step = {
  from: [string, string | null] | null;
  to: [string, string | null];
  reason: string;
  /** When, as a share of the prompt's time slot. */
  at: number;
};

const typeShares: [PromptType, number][] = [
  ["poem", 30],
  ["haiku", 18],
  ["story", 12],
  ["image_prompt", 25],
  ["lyrics_prompt", 15],
];

/** Share of the newest prompts still waiting to be written. */
const waitingShare = 0.03;
const backlogMs = 10 * 60_000;

const textOutcomes: [Outcome, number][] = [
  ["written", 92],
  ["write failed", 5],
  ["cancelled", 3],
];
const mediaOutcomes: [Outcome, number][] = [
  ["ready", 85],
  ["render failed", 6],
  ["write failed", 4],
  ["cancelled", 3],
  ["render waiting", 2],
];

const words =
  "rain tin roof lighthouse dusk harbour folk song leaving home river stone moon winter garden letter train night city market bell field storm quiet morning salt wind kitchen orchard lantern bridge snow island mother road autumn fire window silver mountain sparrow ocean valley clock paper candle shadow forest thread meadow dream tide coffee street summer violin ember glass".split(
    " ",
  );

/**
 * Adds `count` prompts with their events, writings and file rows, spread
 * over the `spanMs` (30 days by default) before `nowMs`; the newest 3% wait
 * to be written unless `finishedOnly`. A million take about a minute on two
 * busy cores.
 */
export function seedPrompts(
  db: Db | Database.Database,
  options: SeedOptions,
): SeedSummary {
  const sqlite = "$client" in db ? db.$client : db;
  const started = performance.now();
  const planOf = planner(options);
  const write = preparedWrites(sqlite);

  const restore = setUpkeepAside(sqlite);
  let events = 0;
  const chunk = 50_000;
  try {
    for (let from = 0; from < options.count; from += chunk) {
      const to = Math.min(options.count, from + chunk);
      sqlite.transaction(() => {
        for (let i = from; i < to; i += 1) {
          events += addPrompt(write, planOf(i));
        }
      })();
    }
  } finally {
    restore();
  }
  return {
    count: options.count,
    events,
    ms: Math.round(performance.now() - started),
  };
}

/**
 * What prompt `i` of the seed is: its type and outcome, drawn from the mix,
 * and its time slot. The finished prompts fill the span up to the last ten
 * minutes; the waiting ones arrived in those ten minutes, after the rest.
 */
function planner(options: SeedOptions): (i: number) => PromptPlan {
  const nowMs = options.nowMs ?? Date.now();
  const spanMs = options.spanMs ?? 30 * 24 * 3600_000;
  const random = randomSource(options.randomSeed ?? 1);
  const firstWaiting = options.finishedOnly
    ? options.count
    : Math.floor(options.count * (1 - waitingShare));
  const finishedMs = spanMs - (firstWaiting < options.count ? backlogMs : 0);
  const slotMs = finishedMs / Math.max(1, firstWaiting);
  const waitingMs = backlogMs / Math.max(1, options.count - firstWaiting);

  return (i) => {
    const type = pick(random, typeShares);
    const drawn = pick(
      random,
      isMediaType(type) ? mediaOutcomes : textOutcomes,
    );
    const outcome =
      i >= firstWaiting
        ? "waiting"
        : options.finishedOnly && drawn === "render waiting"
          ? "ready"
          : drawn;
    const startMs =
      i < firstWaiting
        ? nowMs - spanMs + i * slotMs
        : nowMs - backlogMs + (i - firstWaiting) * waitingMs;
    return { type, outcome, startMs, slotMs, random };
  };
}

/**
 * Drops the indexes no trigger reads and the search index's triggers, turns
 * foreign-key checks off, and returns what puts it all back: one sorted
 * build at the end costs a fraction of row-by-row upkeep.
 */
function setUpkeepAside(sqlite: Database.Database): () => void {
  const firstId = (
    sqlite
      .prepare("SELECT coalesce(max(id), 0) + 1 AS id FROM prompts")
      .get() as {
      id: number;
    }
  ).id;
  const aside = sqlite
    .prepare(
      `SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND (
         (type = 'index' AND tbl_name IN ('prompts', 'writings', 'artifacts'))
         OR (type = 'trigger' AND name LIKE 'prompt\\_search\\_%' ESCAPE '\\'))`,
    )
    .all() as { type: string; name: string; sql: string }[];
  const cacheSize = sqlite.pragma("cache_size", { simple: true });
  sqlite.pragma("cache_size = -262144"); // 256 MiB: what is read stays cached
  sqlite.pragma("foreign_keys = OFF");
  for (const item of aside) sqlite.exec(`DROP ${item.type} "${item.name}"`);

  return () => {
    sqlite.transaction(() => {
      sqlite.prepare(searchRowsSql).run(firstId);
      for (const item of aside) sqlite.exec(item.sql);
    })();
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma(`cache_size = ${cacheSize}`);
  };
}

/** Migration 0009's backfill of the search index, from prompt `?` on. */
const searchRowsSql = `
  INSERT INTO prompt_search (rowid, text, writing)
  SELECT p.id, p.text, coalesce((
    SELECT CASE WHEN w.format = 'json' AND json_valid(w.content)
      THEN (SELECT group_concat(j.value, ' ') FROM json_tree(w.content) j
            WHERE j.type = 'text')
      ELSE w.content END
    FROM writings w WHERE w.id = p.output_reference), '')
  FROM prompts p WHERE p.id >= ?`;

type Writes = ReturnType<typeof preparedWrites>;

function preparedWrites(sqlite: Database.Database) {
  return {
    prompt: sqlite.prepare(
      `INSERT INTO prompts (type, text, priority, seed, created_at, updated_at)
       VALUES (?, ?, 0, ?, ?, ?)`,
    ),
    event: sqlite.prepare(
      `INSERT INTO prompt_events (prompt_id, from_status, from_artifact_status,
         to_status, to_artifact_status, reason, worker_id, detail, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    writing: sqlite.prepare(
      `INSERT INTO writings (prompt_id, format, content, backend, created_at)
       VALUES (?, ?, ?, 'seed', ?)`,
    ),
    artifact: sqlite.prepare(
      `INSERT INTO artifacts (prompt_id, writing_id, kind, mime_type,
         file_name, size_bytes, sha256, backend, created_at)
       VALUES (?, ?, ?, ?, ?, 2048, 'seed', 'seed', ?)`,
    ),
    finish: sqlite.prepare(
      `UPDATE prompts SET status = ?, artifact_status = ?, last_event_id = ?,
         output_reference = ?, last_error = ?, updated_at = ?
       WHERE id = ?`,
    ),
  };
}

type PromptPlan = {
  type: PromptType;
  outcome: Outcome;
  startMs: number;
  slotMs: number;
  random: () => number;
};

/** One prompt, its events in time order, its outputs; returns the events. */
function addPrompt(write: Writes, plan: PromptPlan) {
  const { type, startMs, slotMs, random } = plan;
  const text = Array.from(
    { length: 4 + Math.floor(random() * 6) },
    () => words[Math.floor(random() * words.length)],
  ).join(" ");
  const createdMs = Math.round(startMs);
  const id = Number(
    write.prompt.run(
      type,
      text,
      Math.floor(random() * 2 ** 31),
      createdMs,
      createdMs,
    ).lastInsertRowid,
  );

  const steps = stepsOf(plan.outcome, random);
  let lastEventId = 0;
  let lastMs = createdMs;
  for (const step of steps) {
    lastMs = Math.round(startMs + step.at * slotMs);
    const failed = step.to[0] === "failed";
    lastEventId = Number(
      write.event.run(
        id,
        step.from?.[0] ?? null,
        step.from?.[1] ?? null,
        step.to[0],
        step.to[1],
        step.reason,
        step.from ? "seed-worker" : null,
        failed ? "permanent: the seed says so" : null,
        lastMs,
      ).lastInsertRowid,
    );
  }

  const writingId = hasWriting(plan.outcome)
    ? addWriting(write, id, type, text, lastMs)
    : null;
  if (plan.outcome === "ready") {
    const audio = type === "lyrics_prompt";
    write.artifact.run(
      id,
      writingId,
      audio ? "audio" : "image",
      audio ? "audio/wav" : "image/png",
      `seed-${id}.${audio ? "wav" : "png"}`,
      lastMs,
    );
  }
  const [status, artifactStatus] = steps[steps.length - 1].to;
  const lastError = status === "failed" ? "permanent: the seed says so" : null;
  write.finish.run(
    status,
    artifactStatus,
    lastEventId,
    writingId,
    lastError,
    lastMs,
    id,
  );
  return steps.length;
}

function addWriting(
  write: Writes,
  promptId: number,
  type: PromptType,
  text: string,
  atMs: number,
): number {
  const content = isMediaType(type)
    ? JSON.stringify({
        title: text.split(" ").slice(0, 3).join(" "),
        prompt: text,
      })
    : `${text}\n${text.split(" ").reverse().join(" ")}`;
  return Number(
    write.writing.run(
      promptId,
      isMediaType(type) ? "json" : "text",
      content,
      atMs,
    ).lastInsertRowid,
  );
}

function hasWriting(outcome: Outcome) {
  return (
    outcome !== "waiting" &&
    outcome !== "write failed" &&
    outcome !== "cancelled"
  );
}

/** The transitions a prompt went through to reach its outcome. */
function stepsOf(outcome: Outcome, random: () => number): Step[] {
  const submitted: Step = {
    from: null,
    to: ["unprocessed", null],
    reason: "submitted",
    at: 0,
  };
  if (outcome === "waiting") return [submitted];
  if (outcome === "cancelled") {
    return [
      submitted,
      {
        from: ["unprocessed", null],
        to: ["cancelled", null],
        reason: "cancelled",
        at: 0.2,
      },
    ];
  }
  const writeEnd = 0.15 + random() * 0.3;
  const steps: Step[] = [
    submitted,
    {
      from: ["unprocessed", null],
      to: ["processing", null],
      reason: "writing started",
      at: 0.1,
    },
  ];
  if (outcome === "write failed") {
    return [
      ...steps,
      {
        from: ["processing", null],
        to: ["failed", null],
        reason: "writing failed",
        at: writeEnd,
      },
    ];
  }
  if (outcome === "written") {
    return [
      ...steps,
      {
        from: ["processing", null],
        to: ["completed", null],
        reason: "writing finished",
        at: writeEnd,
      },
    ];
  }
  steps.push({
    from: ["processing", null],
    to: ["completed", "pending"],
    reason: "spec written",
    at: writeEnd,
  });
  if (outcome === "render waiting") return steps;
  const renderStart = writeEnd + 0.05;
  steps.push({
    from: ["completed", "pending"],
    to: ["processing", "processing"],
    reason: "rendering started",
    at: renderStart,
  });
  const renderEnd = renderStart + 0.05 + random() * 0.4;
  return [
    ...steps,
    outcome === "ready"
      ? {
          from: ["processing", "processing"],
          to: ["completed", "ready"],
          reason: "rendering finished",
          at: renderEnd,
        }
      : {
          from: ["processing", "processing"],
          to: ["failed", "failed"],
          reason: "rendering failed",
          at: renderEnd,
        },
  ];
}

function pick<T>(random: () => number, shares: [T, number][]): T {
  const total = shares.reduce((sum, [, share]) => sum + share, 0);
  let left = random() * total;
  for (const [value, share] of shares) {
    left -= share;
    if (left < 0) return value;
  }
  return shares[shares.length - 1][0];
}

/** mulberry32: small, fast, and the same prompts for the same seed. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
