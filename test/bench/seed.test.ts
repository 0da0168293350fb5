import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedPrompts } from "@/bench/seed";
import type { Db } from "@/db/client";
import { countPrompts, createPrompt, listPrompts } from "@/db/prompts";
import { countFinishedSince } from "@/db/stats";
import { makeTestDb } from "../helpers/workspace";

const nowMs = new Date("2026-03-01T12:00:00Z").getTime();

function schemaOf(db: Db) {
  return db.$client
    .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name")
    .all();
}

describe("seedPrompts", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  it("fills a queue whose counters, search and checks match its rows", () => {
    createPrompt(db, { type: "poem", text: "before", priority: 0 });
    const schema = schemaOf(db);

    const summary = seedPrompts(db, { count: 3000, nowMs, spanMs: 86_400_000 });

    expect(summary.count).toBe(3000);
    expect(schemaOf(db)).toEqual(schema);
    expect(db.$client.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.$client.pragma("foreign_key_check")).toEqual([]);
    expect(db.$client.pragma("integrity_check", { simple: true })).toBe("ok");
    const grouped = db.$client
      .prepare("SELECT status, count(*) AS count FROM prompts GROUP BY status")
      .all() as { status: string; count: number }[];
    expect(countPrompts(db).byStatus).toEqual(
      Object.fromEntries(grouped.map((row) => [row.status, row.count])),
    );
    expect(Object.keys(countPrompts(db).byArtifactStatus).sort()).toEqual([
      "failed",
      "pending",
      "ready",
    ]);
    expect(countFinishedSince(db, new Date(nowMs - 3_600_000))).toBeGreaterThan(
      50,
    );
  });

  it("writes each prompt's events in time order, its last one its state", () => {
    seedPrompts(db, { count: 2000, nowMs });

    const outOfOrder = db.$client
      .prepare(
        `SELECT count(*) AS count FROM prompt_events e
         JOIN prompt_events n ON n.id = e.id + 1
         WHERE n.created_at < e.created_at`,
      )
      .get() as { count: number };
    const unannounced = db.$client
      .prepare(
        `SELECT count(*) AS count FROM prompts p
         JOIN prompt_events e ON e.id = p.last_event_id
         WHERE e.prompt_id IS NOT p.id OR e.to_status IS NOT p.status
           OR e.to_artifact_status IS NOT p.artifact_status`,
      )
      .get() as { count: number };
    expect(outOfOrder.count).toBe(0);
    expect(unannounced.count).toBe(0);
  });

  it("indexes seeded prompts and writings for search", () => {
    seedPrompts(db, { count: 500, nowMs, finishedOnly: true });

    const found = listPrompts(db, { q: "lighthouse", limit: 200 });
    const waiting = countPrompts(db).byStatus.unprocessed ?? 0;

    expect(found.items.length).toBeGreaterThan(10);
    expect(
      found.items.every((p) => p.text.split(" ").includes("lighthouse")),
    ).toBe(true);
    expect(waiting).toBe(0);
    expect(countPrompts(db).byArtifactStatus.pending ?? 0).toBe(0);
  });
});
