import fs from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimNextPrompt, recordWriting } from "@/db/claims";
import { openDatabase, type Db } from "@/db/client";
import { galleryPageQuery, listGalleryItems } from "@/db/gallery";
import { createPrompt, listPrompts } from "@/db/prompts";
import { prompts, writings } from "@/db/schema";
import { toMatchQuery } from "@/db/search";
import type { PromptType } from "@/lib/prompt-types";
import { makeTestDb, makeWorkspace } from "../helpers/workspace";

/**
 * Submits a prompt and records `content` as its writing: finished work. Its
 * priority puts it ahead of prompts left queued, so it is the one claimed.
 */
function finish(
  db: Db,
  text: string,
  content: string,
  type: PromptType = "poem",
) {
  const prompt = createPrompt(db, { type, text, priority: 1 });
  const claim = claimNextPrompt(db, { workerId: "w", leaseMs: 60_000 })!;
  expect(claim.prompt.id).toBe(prompt.id);
  const format = type === "image_prompt" ? "json" : "text";
  return recordWriting(db, claim, { format, content, backend: "test" });
}

const idsFound = (db: Db, q: string) =>
  listPrompts(db, { q, limit: 200 }).items.map((p) => p.id);

const indexRows = (db: Db) =>
  db.$client
    .prepare("SELECT rowid AS id, text, writing FROM prompt_search")
    .all() as { id: number; text: string; writing: string }[];

describe("the search index", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  it("finds a new prompt by a word of its text, in any case and without accents", () => {
    const other = createPrompt(db, {
      type: "poem",
      text: "tin roof",
      priority: 0,
    });
    const prompt = createPrompt(db, {
      type: "poem",
      text: "Un poème sur la mer à Étretat",
      priority: 0,
    });

    expect(idsFound(db, "etretat")).toEqual([prompt.id]);
    expect(idsFound(db, "POEME")).toEqual([prompt.id]);
    expect(idsFound(db, "roof")).toEqual([other.id]);
  });

  it("finds finished work by a word of its writing, and a word being typed", () => {
    const prompt = finish(db, "rain", "The gutters sing of copper and moss");
    createPrompt(db, { type: "poem", text: "copper kettle", priority: 0 });

    expect(idsFound(db, "gutters")).toEqual([prompt.id]);
    expect(idsFound(db, "moss gutt")).toEqual([prompt.id]);
    expect(idsFound(db, "copper sing")).toEqual([prompt.id]);
  });

  it("indexes a spec's string values, not its keys", () => {
    const spec = JSON.stringify({
      title: "Harbour lights",
      prompt: "a lighthouse at dusk",
      steps: 30,
    });
    const prompt = finish(db, "sea", spec, "image_prompt");

    expect(idsFound(db, "harbour")).toEqual([prompt.id]);
    expect(idsFound(db, "lighthouse")).toEqual([prompt.id]);
    expect(idsFound(db, "title")).toEqual([]);
    expect(idsFound(db, "steps")).toEqual([]);
  });

  it("follows a change of a prompt's text", () => {
    const prompt = createPrompt(db, {
      type: "poem",
      text: "first frost",
      priority: 0,
    });

    db.update(prompts)
      .set({ text: "last train home" })
      .where(eq(prompts.id, prompt.id))
      .run();

    expect(idsFound(db, "frost")).toEqual([]);
    expect(idsFound(db, "train")).toEqual([prompt.id]);
  });

  it("follows a new writing and a change to the current one", () => {
    const prompt = finish(db, "harbour", "gulls over the pier");
    const next = db
      .insert(writings)
      .values({
        promptId: prompt.id,
        format: "text",
        content: "fog over the water",
        backend: "test",
      })
      .returning()
      .get();

    expect(idsFound(db, "fog")).toEqual([]);
    db.update(prompts)
      .set({ outputReference: next.id })
      .where(eq(prompts.id, prompt.id))
      .run();
    expect(idsFound(db, "fog")).toEqual([prompt.id]);
    expect(idsFound(db, "gulls")).toEqual([]);

    db.update(writings)
      .set({ content: "herons in the reeds" })
      .where(eq(writings.id, next.id))
      .run();
    expect(idsFound(db, "fog")).toEqual([]);
    expect(idsFound(db, "herons")).toEqual([prompt.id]);

    db.delete(writings).where(eq(writings.id, next.id)).run();
    expect(idsFound(db, "herons")).toEqual([]);
    expect(idsFound(db, "harbour")).toEqual([prompt.id]);
  });

  it("drops a deleted prompt, with its writings, from the index", () => {
    const kept = finish(db, "kept lantern", "a lantern in the window");
    const gone = finish(db, "gone lantern", "a lantern on the shore");

    db.delete(prompts).where(eq(prompts.id, gone.id)).run();

    expect(idsFound(db, "lantern")).toEqual([kept.id]);
    expect(indexRows(db).map((row) => row.id)).toEqual([kept.id]);
  });

  it("rolls back with the transaction that wrote the rows", () => {
    expect(() =>
      db.transaction((tx) => {
        createPrompt(tx as unknown as Db, {
          type: "poem",
          text: "undone",
          priority: 0,
        });
        throw new Error("abort");
      }),
    ).toThrow("abort");

    expect(idsFound(db, "undone")).toEqual([]);
    expect(indexRows(db)).toEqual([]);
  });

  it("finds as many prompts as a scan of the rows for each word", () => {
    const words = ["amber", "birch", "cinder", "dune", "ember", "fjord"];
    let seed = 7;
    const pick = () => words[(seed = (seed * 48271) % 2147483647) % 6];
    const phrase = (n: number) => Array.from({ length: n }, pick).join(" ");
    for (let i = 0; i < 60; i++) {
      if (i % 3 === 0)
        createPrompt(db, { type: "poem", text: phrase(2), priority: 0 });
      else finish(db, phrase(2), phrase(4));
    }

    for (const query of [...words, "cin", "amber dune", "birch fjord em"]) {
      const terms = query.split(" ");
      const scanned = db.all<{ n: number }>(sql`
        SELECT count(*) AS n FROM prompts p
        LEFT JOIN writings w ON w.id = p.output_reference
        WHERE ${sql.join(
          terms.map(
            (term, i) =>
              sql`(' ' || p.text || ' ' || coalesce(w.content, '') || ' ')
                LIKE ${i === terms.length - 1 ? `% ${term}%` : `% ${term} %`}`,
          ),
          sql` AND `,
        )}`)[0].n;
      expect(idsFound(db, query).length, query).toBe(scanned);
    }
    expect(indexRows(db)).toHaveLength(60);
  });
});

describe("a person's search as an index query", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  it("quotes each word and takes the last as a prefix", () => {
    expect(toMatchQuery('rain AND "roof" NEAR(tin')).toBe(
      '"rain" "AND" "roof" "NEAR" "tin"*',
    );
  });

  it("finds nothing for punctuation alone, without an error", () => {
    createPrompt(db, {
      type: "poem",
      text: 'a * - " ( ) ^ : prompt',
      priority: 0,
    });

    for (const q of ['"', "*", "-", "()", "^", ":", "  ", "…"]) {
      expect(toMatchQuery(q), q).toBeNull();
      expect(listPrompts(db, { q, limit: 5 }).items, q).toEqual([]);
      expect(listGalleryItems(db, { q, limit: 5 }).items, q).toEqual([]);
    }
  });

  it("takes FTS5 operators and odd quoting as plain words", () => {
    const prompt = createPrompt(db, {
      type: "poem",
      text: "rain and near the roof, or not",
      priority: 0,
    });

    for (const q of [
      "AND",
      "NEAR(",
      "rain OR",
      "NOT roof",
      'roof"',
      "-rain",
      "rain*",
      "rain:",
      "{rain}",
      "^rain",
    ]) {
      expect(idsFound(db, q), q).toEqual([prompt.id]);
    }
    expect(idsFound(db, "rain -roof")).toEqual([prompt.id]);
  });
});

describe("the gallery's page query", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  const planOf = (filter: Parameters<typeof galleryPageQuery>[1]) => {
    const { sql: text, params } = galleryPageQuery(db, filter)!.toSQL();
    return (
      db.$client
        .prepare(`EXPLAIN QUERY PLAN ${text}`)
        .all(...(params as unknown[])) as { detail: string }[]
    ).map((row) => row.detail);
  };

  it("reads prompts through an index, already in page order", () => {
    // Poets never runs ANALYZE, so this is the plan it gets.
    for (let i = 0; i < 20; i++) finish(db, `rain ${i}`, "words");

    for (const filter of [
      { limit: 12 },
      { limit: 12, beforeId: 10 },
      { limit: 12, type: "poem" as const },
      { limit: 12, type: "poem" as const, beforeId: 10 },
    ]) {
      const plan = planOf(filter);
      expect(plan.join("\n"), JSON.stringify(filter)).toMatch(
        /^SEARCH prompts USING (COVERING )?INDEX/m,
      );
      expect(plan.join("\n")).not.toMatch(/SCAN prompts|TEMP B-TREE/);
    }
  });

  it("reads a search through the index, without scanning prompts", () => {
    const plan = planOf({ limit: 12, q: "rain" }).join("\n");

    expect(plan).toMatch(/prompt_search VIRTUAL TABLE/);
    expect(plan).not.toMatch(/SCAN prompts\b/);
  });
});

describe("the search index migration", () => {
  const folder = path.resolve(import.meta.dirname, "../../db/migrations");
  let workspace: ReturnType<typeof makeWorkspace>;
  afterEach(() => {
    delete process.env.POETS_MIGRATIONS_DIR;
    workspace?.cleanup();
  });

  it("indexes the prompts and writings a database already holds", () => {
    workspace = makeWorkspace();
    const before = path.join(workspace.dir, "migrations-before-search");
    fs.cpSync(folder, before, { recursive: true });
    const journalPath = path.join(before, "meta", "_journal.json");
    const journal = JSON.parse(fs.readFileSync(journalPath, "utf8"));
    // From the search index on: a later migration applied first would mark
    // the search index's as already passed.
    journal.entries = journal.entries.filter(
      (entry: { tag: string }) => entry.tag < "0009_add_search_index",
    );
    fs.writeFileSync(journalPath, JSON.stringify(journal));
    process.env.POETS_MIGRATIONS_DIR = before;
    const old = openDatabase(workspace.dbPath);
    const queued = createPrompt(old, {
      type: "haiku",
      text: "first frost",
      priority: 0,
    });
    const done = finish(old, "tin roof", "the rain keeps time");
    const spec = finish(
      old,
      "dusk",
      JSON.stringify({ title: "Harbour lights" }),
      "image_prompt",
    );
    expect(() => old.$client.prepare("SELECT * FROM prompt_search")).toThrow(
      /no such table/,
    );
    old.$client.close();

    delete process.env.POETS_MIGRATIONS_DIR;
    const db = openDatabase(workspace.dbPath);

    expect(idsFound(db, "frost")).toEqual([queued.id]);
    expect(idsFound(db, "rain time")).toEqual([done.id]);
    expect(idsFound(db, "harbour")).toEqual([spec.id]);
    expect(idsFound(db, "title")).toEqual([]);
    expect(indexRows(db)).toHaveLength(3);
    db.$client.close();
  });
});
