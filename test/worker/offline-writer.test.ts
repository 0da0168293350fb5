import { describe, expect, it } from "vitest";
import { imageSpecSchema, songSpecSchema } from "@/lib/prompt-types";
import { writeImageSpec, writeSongSpec } from "@/worker/offline-specs";
import {
  offlineWriter,
  writeHaiku,
  writeOfflineText,
  writePoem,
  writeStory,
} from "@/worker/offline-writer";
import { countSyllables, readPromptWords } from "@/worker/words";
import { samples } from "../helpers/samples";

const seeds = [0, 1, 42, 2 ** 32 - 1];
const textSamples = samples.filter((s) =>
  ["poem", "story", "haiku"].includes(s.type),
);

describe("offline writer", () => {
  it("writes the same text for the same prompt and seed", () => {
    for (const { type, text } of samples) {
      const first = writeOfflineText({ type, text, seed: 7 });

      expect(writeOfflineText({ type, text, seed: 7 })).toBe(first);
    }
    expect(writeImageSpec("a lighthouse at dusk", 7)).toEqual(
      writeImageSpec("a lighthouse at dusk", 7),
    );
    expect(writeSongSpec("a folk song", 7)).toEqual(
      writeSongSpec("a folk song", 7),
    );
  });

  it("writes differently for a different seed", () => {
    const text = "What the river says to the bridge after the flood";

    const poems = new Set(seeds.map((seed) => writePoem(text, seed)));

    expect(poems.size).toBeGreaterThan(1);
  });

  it("uses the prompt's own words", () => {
    for (const { type, text } of textSamples) {
      const writing = writeOfflineText({ type, text, seed: 3 });
      const { words } = readPromptWords(text);

      expect(words.some((word) => writing.includes(word))).toBe(true);
    }
    expect(writePoem("Rain on a tin roof", 1)).toContain("tin roof");
  });

  it("writes a poem in stanzas of several lines", () => {
    const poem = writePoem("A sonnet for the night-shift nurses", 5);
    const [title, ...stanzas] = poem.split("\n\n");

    expect(title).toBe("Sonnet");
    expect(stanzas.length).toBeGreaterThanOrEqual(2);
    for (const stanza of stanzas) {
      expect(stanza.split("\n").length).toBeGreaterThanOrEqual(4);
    }
  });

  it("writes a haiku as three short lines near 5-7-5", () => {
    for (const { text } of samples) {
      for (const seed of seeds) {
        const lines = writeHaiku(text, seed).split("\n");

        expect(lines).toHaveLength(3);
        lines.forEach((line) => expect(line.trim()).not.toBe(""));
      }
    }
    const counts = writeHaiku("first frost on the windshield", 9)
      .split("\n")
      .map(countSyllables);
    expect(counts[0]).toBeGreaterThanOrEqual(4);
    expect(counts[0]).toBeLessThanOrEqual(6);
    expect(counts[1]).toBeGreaterThanOrEqual(6);
    expect(counts[1]).toBeLessThanOrEqual(8);
  });

  it("writes a story as a title and three paragraphs", () => {
    const story = writeStory("The last librarian in a city", 11);
    const [title, ...paragraphs] = story.split("\n\n");

    expect(title).toBe("Last Librarian");
    expect(paragraphs).toHaveLength(3);
    paragraphs.forEach((p) => expect(p).toMatch(/[.!?。]$/u));
  });

  it("writes specs that pass the schemas for every sample prompt", () => {
    for (const { text } of samples) {
      for (const seed of seeds) {
        expect(imageSpecSchema.parse(writeImageSpec(text, seed))).toBeTruthy();
        expect(songSpecSchema.parse(writeSongSpec(text, seed))).toBeTruthy();
      }
    }
  });

  it("keeps specs in the built-in's small sizes", () => {
    const image = writeImageSpec("Portrait of an old fisherman", 1);
    const song = writeSongSpec("A slow blues about the heat", 1);

    expect(image).toMatchObject({ width: 512, height: 768, seed: 1 });
    expect(song.durationSeconds).toBeGreaterThanOrEqual(6);
    expect(song.durationSeconds).toBeLessThanOrEqual(12);
    expect(song.genre).toBe("blues");
    expect(song.lyrics.some((s) => s.label === "chorus")).toBe(true);
  });

  it("handles odd text without breaking it", () => {
    const odd = ["📝", "!!!", "x".repeat(4000), "a ".repeat(2000), "é"];

    for (const text of odd) {
      for (const type of ["poem", "story", "haiku"] as const) {
        const writing = writeOfflineText({ type, text, seed: 1 });
        expect(writing.trim()).not.toBe("");
        expect(writing).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/u);
      }
      imageSpecSchema.parse(writeImageSpec(text, 1));
      songSpecSchema.parse(writeSongSpec(text, 1));
    }
  });

  it("reports itself as the builtin backend and honours abort", async () => {
    const aborted = AbortSignal.abort();
    const input = { type: "poem" as const, text: "rain", seed: 1 };

    expect(offlineWriter.backend).toBe("builtin");
    await expect(offlineWriter.writeText(input, aborted)).rejects.toThrow();
  });
});
