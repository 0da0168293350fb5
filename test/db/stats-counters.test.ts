import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyBulkAction } from "@/db/admin";
import {
  claimNextPrompt,
  recordArtifacts,
  recordWriting,
  type Claim,
  type Stage,
} from "@/db/claims";
import { openDatabase, type Db } from "@/db/client";
import { migrate } from "@/db/migrate";
import { cancelPrompt, countPrompts, requeuePrompt } from "@/db/prompts";
import {
  createPromptBatch,
  editPrompt,
  rerenderPrompt,
  rewritePrompt,
} from "@/db/queue-control";
import {
  failStage,
  releaseClaim,
  retryStage,
  waitForBackend,
} from "@/db/stage-failures";
import { countFinishedSince, readStageDurations } from "@/db/stats";
import { createPrompt } from "@/db/prompts";
import { AppError } from "@/lib/errors";
import { isMediaType, promptTypes, type PromptType } from "@/lib/prompt-types";
import { createRandom } from "@/worker/prng";
import { makeTestDb, makeWorkspace } from "../helpers/workspace";

const t0 = new Date("2026-03-01T12:00:00Z").getTime();
const minuteMs = 60_000;

// The definitions the counters replace, read the slow way from the rows.

function countedByGroup(db: Db) {
  const groups = (column: string) =>
    Object.fromEntries(
      (
        db.$client
          .prepare(
            `SELECT ${column} AS key, count(*) AS count FROM prompts
             WHERE ${column} IS NOT NULL GROUP BY ${column}`,
          )
          .all() as { key: string; count: number }[]
      ).map((row) => [row.key, row.count]),
    );
  return {
    byStatus: groups("status"),
    byArtifactStatus: groups("artifact_status"),
    byType: groups("type"),
  };
}

/** Finishing events from the start of the minute that holds `sinceMs`. */
function countedFinishes(db: Db, sinceMs: number): number {
  const fromMs = Math.floor(sinceMs / minuteMs) * minuteMs;
  const row = db.$client
    .prepare(
      `SELECT count(*) AS count FROM prompt_events
       WHERE created_at >= ? AND to_status = 'completed'
         AND (to_artifact_status IS NULL OR to_artifact_status = 'ready')`,
    )
    .get(fromMs) as { count: number };
  return row.count;
}

/** The backwards walk over prompt_events that stage_runs replaces. */
function walkedStageDurations(db: Db, limit = 500) {
  const durations = (stageEnd: string) =>
    (
      db.$client
        .prepare(
          `SELECT e.created_at - (
             SELECT s.created_at FROM prompt_events s
             WHERE s.prompt_id = e.prompt_id AND s.id < e.id
             ORDER BY s.id DESC LIMIT 1) AS ms
           FROM prompt_events e
           WHERE e.from_status = 'processing' AND e.to_status = 'completed'
             AND ${stageEnd}
           ORDER BY e.id DESC LIMIT ?`,
        )
        .all(limit) as { ms: number | null }[]
    )
      .map((row) => row.ms)
      .filter((ms): ms is number => ms !== null)
      .sort((a, b) => a - b);
  const summary = (sorted: number[]) => {
    const middle = Math.floor(sorted.length / 2);
    const medianMs =
      sorted.length === 0
        ? null
        : sorted.length % 2 === 1
          ? sorted[middle]
          : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
    return { medianMs, samples: sorted.length };
  };
  return {
    write: summary(durations("e.from_artifact_status IS NULL")),
    render: summary(
      durations(
        "e.from_artifact_status = 'processing' AND e.to_artifact_status = 'ready'",
      ),
    ),
  };
}

function expectStatsAgree(db: Db, nowMs: number, { runs = true } = {}) {
  expect(countPrompts(db)).toEqual(countedByGroup(db));
  for (const sinceMs of [t0 - 1, nowMs - 3_600_000, nowMs - 61_234, nowMs]) {
    expect(countFinishedSince(db, new Date(sinceMs))).toBe(
      countedFinishes(db, sinceMs),
    );
  }
  if (!runs) return;
  expect(readStageDurations(db)).toEqual(walkedStageDurations(db));
  expect(readStageDurations(db, 7)).toEqual(walkedStageDurations(db, 7));
}

/** Adds a prompt and its "submitted" event the way an import script would. */
function insertWithSql(db: Db, type: PromptType, atMs: number): number {
  const sqlite = db.$client;
  const id = Number(
    sqlite
      .prepare(
        `INSERT INTO prompts (type, text, seed, created_at, updated_at)
         VALUES (?, 'imported', 1, ?, ?)`,
      )
      .run(type, atMs, atMs).lastInsertRowid,
  );
  const eventId = sqlite
    .prepare(
      `INSERT INTO prompt_events (prompt_id, to_status, reason, created_at)
       VALUES (?, 'unprocessed', 'imported', ?)`,
    )
    .run(id, atMs).lastInsertRowid;
  sqlite
    .prepare("UPDATE prompts SET last_event_id = ? WHERE id = ?")
    .run(eventId, id);
  return id;
}

/** Runs an action that a prompt's current state may refuse. */
function tryTo(action: () => unknown) {
  try {
    action();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
}

describe("stats counters", () => {
  let db: Db;
  let close: () => void;
  let nowMs: number;
  let files: number;
  beforeEach(() => {
    ({ db, close } = makeTestDb());
    nowMs = t0;
    files = 0;
  });
  afterEach(() => close());

  const tick = (ms = 1_000) => new Date((nowMs += ms));

  const claim = (stage: Stage) =>
    claimNextPrompt(db, {
      workerId: "w",
      leaseMs: 600_000,
      stage,
      now: tick(),
    });

  const finishWrite = (held: Claim, ms = 2_000) =>
    recordWriting(
      db,
      held,
      {
        format: isMediaType(held.prompt.type) ? "json" : "text",
        content: '{"title":"t","prompt":"p"}',
        backend: "t",
      },
      tick(ms),
    );

  const finishRender = (held: Claim, ms = 5_000) =>
    recordArtifacts(
      db,
      held,
      [
        {
          kind: "image",
          mimeType: "image/png",
          fileName: `${held.prompt.id}-${(files += 1)}.png`,
          sizeBytes: 1,
          sha256: "x",
          backend: "t",
        },
      ],
      tick(ms),
    );

  it("start from what the database already holds when migrated", () => {
    const workspace = makeWorkspace();
    const before = path.join(workspace.dir, "migrations");
    fs.cpSync(path.resolve("db/migrations"), before, { recursive: true });
    const journalPath = path.join(before, "meta", "_journal.json");
    const journal = JSON.parse(fs.readFileSync(journalPath, "utf8"));
    // The counters' migration and every one after it are still to come.
    const allEntries = journal.entries.length;
    journal.entries = journal.entries.filter(
      (entry: { idx: number }) => entry.idx < 10,
    );
    const toCome = allEntries - journal.entries.length;
    fs.writeFileSync(journalPath, JSON.stringify(journal));
    const previous = process.env.POETS_MIGRATIONS_DIR;
    process.env.POETS_MIGRATIONS_DIR = before;
    try {
      db.$client.close();
      db = openDatabase(workspace.dbPath);
      const now = Date.now();
      nowMs = now - 3_000_000;
      for (let i = 0; i < 30; i += 1) {
        createPrompt(db, { type: "image_prompt", text: "a", priority: 0 });
        createPrompt(db, { type: "poem", text: "b", priority: 0 }, tick());
      }
      for (let i = 0; i < 40; i += 1) finishWrite(claim("write")!, 1000 + i);
      for (let i = 0; i < 12; i += 1) finishRender(claim("render")!, 9000 + i);
      tryTo(() => failStage(db, claim("write")!, "permanent: no", tick()));

      process.env.POETS_MIGRATIONS_DIR = path.resolve("db/migrations");
      expect(migrate(db)).toBe(toCome);

      expect(countPrompts(db)).toEqual(countedByGroup(db));
      expect(countFinishedSince(db, new Date(now - 3_600_000))).toBe(
        countedFinishes(db, now - 3_600_000),
      );
      expect(readStageDurations(db)).toEqual(walkedStageDurations(db));
      expect(readStageDurations(db).render.samples).toBe(12);
      finishWrite(claim("write")!, 777);
      expectStatsAgree(db, nowMs);
    } finally {
      if (previous === undefined) delete process.env.POETS_MIGRATIONS_DIR;
      else process.env.POETS_MIGRATIONS_DIR = previous;
      db.$client.close();
      workspace.cleanup();
      ({ db, close } = makeTestDb());
    }
  });

  it("equal count(*) after every kind of change the product makes", () => {
    const poem = createPrompt(db, { type: "poem", text: "a", priority: 0 });
    const [image, song, haiku] = createPromptBatch(
      db,
      [
        { type: "image_prompt", text: "b" },
        { type: "lyrics_prompt", text: "c" },
        { type: "haiku", text: "d" },
      ],
      { now: tick() },
    );
    const imported = insertWithSql(db, "story", nowMs);
    expectStatsAgree(db, nowMs);

    editPrompt(db, haiku.id, { type: "story" }, tick());
    editPrompt(db, imported, { type: "poem", priority: 3 }, tick());
    finishWrite(claim("write")!); // the imported poem, first by priority
    finishWrite(claim("write")!); // the first poem
    const spec = claim("write")!;
    expect(spec.prompt.id).toBe(image.id);
    finishWrite(spec);
    expectStatsAgree(db, nowMs);

    const render = claim("render")!;
    waitForBackend(db, render, { waitingReason: "down", runAfter: tick() });
    finishRender(claim("render")!);
    rerenderPrompt(db, image.id, tick());
    const again = claim("render")!;
    failStage(db, again, "permanent: broken", tick());
    rewritePrompt(db, image.id, tick());
    rewritePrompt(db, poem.id, tick());
    expectStatsAgree(db, nowMs);

    retryStage(db, claim("write")!, {
      lastError: "x",
      runAfter: tick(),
      detail: "x",
    });
    releaseClaim(db, claim("write")!, "worker stopping", tick());
    const running = claim("write")!;
    requeuePrompt(db, running.prompt.id, tick());
    cancelPrompt(db, haiku.id, tick());
    failStage(db, claim("write")!, "permanent: no", tick());
    const failed = countedByGroup(db).byStatus.failed;
    expect(failed).toBe(1);
    const bulk = applyBulkAction(
      db,
      { action: "retry", ids: [poem.id, image.id, song.id], preview: false },
      tick(),
    );
    expect(bulk.some((result) => result.ok)).toBe(true);
    applyBulkAction(
      db,
      { action: "cancel", ids: [song.id], preview: true },
      tick(),
    );
    expectStatsAgree(db, nowMs);

    db.$client.prepare("DELETE FROM prompts WHERE id = ?").run(haiku.id);
    db.$client.prepare("DELETE FROM prompts WHERE id = ?").run(poem.id);
    // No product path deletes a prompt; were one to, its runs would stay in
    // the median's sample until newer runs push them out of the ring.
    expectStatsAgree(db, nowMs, { runs: false });
  });

  it("equal count(*) after 2000 random changes", () => {
    // Seeded, so that a failure can be replayed.
    const random = createRandom(20260301);
    const held: Claim[] = [];
    const anyId = () => 1 + random.int(0, Math.max(1, nextId() - 1) - 1);
    const nextId = () =>
      (
        db.$client
          .prepare("SELECT coalesce(max(id), 0) + 1 AS id FROM prompts")
          .get() as { id: number }
      ).id;
    const takeHeld = () =>
      held.length ? held.splice(random.int(0, held.length - 1), 1)[0] : null;
    const actions: (() => unknown)[] = [
      () =>
        createPrompt(
          db,
          { type: random.pick(promptTypes), text: "x", priority: 0 },
          tick(),
        ),
      () =>
        createPromptBatch(
          db,
          Array.from({ length: 1 + random.int(0, 3) }, () => ({
            type: random.pick(promptTypes),
            text: "y",
          })),
          { now: tick() },
        ),
      () => insertWithSql(db, random.pick(promptTypes), tick().getTime()),
      () => {
        const got = claim(random.pick(["write", "render"] as const));
        if (got) held.push(got);
      },
      () => {
        const got = takeHeld();
        if (!got) return;
        if (got.stage === "write") finishWrite(got, random.int(0, 19_999));
        else finishRender(got, random.int(0, 59_999));
      },
      () => {
        const got = takeHeld();
        if (got) failStage(db, got, "permanent: no", tick());
      },
      () => {
        const got = takeHeld();
        if (!got) return;
        const outcome = random.int(0, 2);
        if (outcome === 0) {
          retryStage(db, got, { lastError: "x", runAfter: tick(), detail: "" });
        } else if (outcome === 1) {
          waitForBackend(db, got, { waitingReason: "d", runAfter: tick() });
        } else releaseClaim(db, got, "stopping", tick());
      },
      () => cancelPrompt(db, anyId(), tick()),
      () => requeuePrompt(db, anyId(), tick()),
      () =>
        applyBulkAction(
          db,
          {
            action: random.pick(["requeue", "retry", "cancel"] as const),
            ids: [anyId(), anyId()],
            preview: random.int(0, 1) === 0,
          },
          tick(),
        ),
      () => editPrompt(db, anyId(), { type: random.pick(promptTypes) }, tick()),
      () => rerenderPrompt(db, anyId(), tick()),
      () => rewritePrompt(db, anyId(), tick()),
      () => {
        if (random.int(0, 9) === 0) {
          db.$client
            .prepare(
              `DELETE FROM prompts WHERE id = ? AND NOT EXISTS (
                 SELECT 1 FROM prompt_events e WHERE e.prompt_id = prompts.id
                   AND e.from_status = 'processing'
                   AND e.to_status = 'completed')`,
            )
            .run(anyId());
        }
      },
    ];

    for (let step = 1; step <= 2000; step += 1) {
      tick(random.int(0, 9_999));
      tryTo(random.pick(actions));
      if (step % 250 === 0) expectStatsAgree(db, nowMs);
    }

    const counts = countPrompts(db);
    expect(Object.keys(counts.byStatus).length).toBeGreaterThanOrEqual(4);
    expect(readStageDurations(db).render.samples).toBeGreaterThan(0);
  });

  it("keep the latest 500 runs of a stage once more have finished", () => {
    for (let i = 0; i < 620; i += 1) {
      createPrompt(db, { type: "haiku", text: "h", priority: 0 }, tick());
      finishWrite(claim("write")!, i < 120 ? 90_000 : 1_000 + (i % 7));
    }

    const durations = readStageDurations(db);

    expect(durations.write.samples).toBe(500);
    expect(durations).toEqual(walkedStageDurations(db));
    const ring = db.$client
      .prepare("SELECT count(*) AS count FROM stage_runs")
      .get() as { count: number };
    expect(ring.count).toBe(500);
  });

  it("keep a day of finishes per minute and count from the window's minute", () => {
    createPrompt(db, { type: "poem", text: "p", priority: 0 }, tick());
    finishWrite(claim("write")!);
    const firstFinishMs = nowMs;
    tick(25 * 3_600_000);
    createPrompt(db, { type: "poem", text: "p", priority: 0 }, tick());
    finishWrite(claim("write")!);

    const minutes = db.$client
      .prepare("SELECT minute FROM finished_minutes")
      .all() as { minute: number }[];

    expect(minutes).toEqual([{ minute: Math.floor(nowMs / minuteMs) }]);
    expect(countFinishedSince(db, new Date(nowMs - 3_600_000))).toBe(1);
    expect(countedFinishes(db, firstFinishMs)).toBe(2);
    // the first minute counts whole: 59 s before a finish still finds it
    expect(
      countFinishedSince(db, new Date(nowMs + 59_000 - (nowMs % minuteMs))),
    ).toBe(1);
  });
});
