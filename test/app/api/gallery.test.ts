import { describe, expect, it } from "vitest";
import { claimNextPrompt, recordWriting } from "@/db/claims";
import type { Db } from "@/db/client";
import { createPrompt } from "@/db/prompts";
import type { PromptType } from "@/lib/prompt-types";
import { useAppSuite } from "../../helpers/app-suite";

const hostile = '<script>alert(1)</script> <img src=x onerror="alert(2)">';

function finish(db: Db, type: PromptType, text: string, content: string) {
  const prompt = createPrompt(db, { type, text, priority: 1 });
  const claim = claimNextPrompt(db, { workerId: "w", leaseMs: 60_000 })!;
  const format = type === "image_prompt" ? "json" : "text";
  recordWriting(db, claim, { format, content, backend: "test" });
  return prompt.id;
}

const ids: Record<string, number> = {};

// The production server over a seeded database, no worker.
describe("gallery and prompt search API", () => {
  const suite = useAppSuite((db) => {
    ids.queued = createPrompt(db, {
      type: "poem",
      text: "a lantern still waiting",
      priority: 0,
    }).id;
    ids.rain = finish(db, "poem", "rain on a tin roof", "copper gutters sing");
    ids.frost = finish(db, "haiku", "first frost", "windshield lace");
    ids.hostile = finish(db, "story", hostile, "a lantern story");
    for (let i = 0; i < 5; i++) {
      ids[`paged${i}`] = finish(db, "poem", `paged lantern ${i}`, "verse");
    }
    // Last, as its render would be claimed next. Its spec is written but
    // its image is not: it is not in the gallery yet.
    ids.spec = finish(
      db,
      "image_prompt",
      "a lighthouse at dusk",
      JSON.stringify({ title: "Harbour lantern", prompt: "dusk" }),
    );
  });

  const get = async (path: string) => {
    const response = await fetch(`${suite.app.baseUrl}${path}`);
    return { status: response.status, body: await response.json() };
  };
  const galleryIds = async (query: string) => {
    const { status, body } = await get(`/api/gallery?${query}`);
    expect(status, query).toBe(200);
    return body.items.map((item: { prompt: { id: number } }) => item.prompt.id);
  };
  const queueIds = async (query: string) => {
    const { status, body } = await get(`/api/prompts?${query}`);
    expect(status, query).toBe(200);
    return body.items.map((prompt: { id: number }) => prompt.id);
  };

  it("finds finished work by a word of its writing, with its writing", async () => {
    const { body } = await get("/api/gallery?q=gutters");

    expect(body.items).toHaveLength(1);
    expect(body.items[0].prompt.id).toBe(ids.rain);
    expect(body.items[0].writing.content).toBe("copper gutters sing");
    expect(body.nextCursor).toBeNull();
  });

  it("combines a search with the type filter", async () => {
    expect(await galleryIds("q=lantern&type=story")).toEqual([ids.hostile]);
    expect(await galleryIds("q=frost&type=poem")).toEqual([]);
    expect(await galleryIds("q=FROST&type=haiku")).toEqual([ids.frost]);
  });

  it("pages a search with its cursor, newest first, no gaps or repeats", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const query: string = `q=paged+lant&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const { body } = await get(`/api/gallery?${query}`);
      seen.push(
        ...body.items.map((i: { prompt: { id: number } }) => i.prompt.id),
      );
      cursor = body.nextCursor;
      if (!cursor) break;
    }

    const expected = [4, 3, 2, 1, 0].map((i) => ids[`paged${i}`]);
    expect(seen).toEqual(expected);
  });

  it("searches the whole queue, not only finished work", async () => {
    expect(await queueIds("q=lantern")).toEqual(
      [
        ids.queued,
        ids.spec,
        ids.hostile,
        ...[0, 1, 2, 3, 4].map((i) => ids[`paged${i}`]),
      ].sort((a, b) => b - a),
    );
    expect(await galleryIds("q=lantern")).not.toContain(ids.queued);
    expect(await galleryIds("q=lantern")).not.toContain(ids.spec);
    expect(await queueIds("q=lantern&status=unprocessed")).toEqual([
      ids.queued,
    ]);
    expect(await queueIds("q=harbour")).toEqual([ids.spec]);
  });

  it.each([
    ['"'],
    ["*"],
    ["AND"],
    ["NEAR("],
    ["-"],
    ['lantern" OR "'],
    ["NOT lantern"],
    ["title:lantern"],
    ["^"],
    [hostile],
  ])("answers %j with a list, never an error", async (q) => {
    const query = `q=${encodeURIComponent(q)}`;

    const gallery = await get(`/api/gallery?${query}`);
    const queue = await get(`/api/prompts?${query}`);

    expect(gallery.status).toBe(200);
    expect(queue.status).toBe(200);
    expect(Array.isArray(gallery.body.items)).toBe(true);
    expect(Array.isArray(queue.body.items)).toBe(true);
  });

  it("finds a hostile prompt by its words and returns its text unchanged", async () => {
    const { body } = await get(
      `/api/gallery?q=${encodeURIComponent("script alert onerror")}`,
    );

    expect(
      body.items.map((i: { prompt: { id: number } }) => i.prompt.id),
    ).toEqual([ids.hostile]);
    expect(body.items[0].prompt.text).toBe(hostile);
  });

  it("finds nothing for punctuation alone and everything for a blank search", async () => {
    expect(await galleryIds("q=%22%28%29*")).toEqual([]);
    expect(await queueIds("q=-")).toEqual([]);
    expect(await galleryIds("q=%20%20")).toEqual(await galleryIds(""));
    expect(await queueIds("q=")).toHaveLength(10);
  });

  it("refuses an overlong search with a clear 400", async () => {
    for (const path of ["/api/gallery", "/api/prompts"]) {
      const { status, body } = await get(`${path}?q=${"a".repeat(201)}`);

      expect(status).toBe(400);
      expect(body.error.code).toBe("validation_failed");
      expect(body.error.message).toMatch(/q must be at most 200 characters/);
    }
  });
});
