import { describe, expect, it } from "vitest";
import {
  imageSpecSchema,
  maxPromptChars,
  newPromptSchema,
  songSpecSchema,
} from "@/lib/prompt-types";

const image = {
  title: "Lighthouse at dusk",
  prompt: "a lighthouse at dusk, watercolor, soft purple sky",
  negativePrompt: "blurry, text",
  style: "watercolor",
  width: 768,
  height: 512,
  seed: 42,
};

const song = {
  title: "One Suitcase",
  genre: "folk",
  tags: ["acoustic", "warm"],
  tempoBpm: 96,
  durationSeconds: 8,
  key: "G major",
  seed: 7,
  lyrics: [
    { label: "verse", lines: ["I left at nineteen"] },
    { label: "chorus", lines: ["One suitcase, one song"] },
  ],
};

describe("newPromptSchema", () => {
  it("trims the text and defaults the priority", () => {
    expect(newPromptSchema.parse({ type: "poem", text: "  rain  " })).toEqual({
      type: "poem",
      text: "rain",
      priority: 0,
    });
  });

  it.each([
    ["an unknown type", { type: "limerick", text: "x" }],
    ["empty text", { type: "poem", text: "" }],
    ["whitespace-only text", { type: "poem", text: " \n\t " }],
    ["oversized text", { type: "poem", text: "a".repeat(maxPromptChars + 1) }],
    ["text that is not a string", { type: "poem", text: 5 }],
    ["a missing type", { text: "rain" }],
    ["an unknown field", { type: "poem", text: "rain", colour: "red" }],
    ["a fractional priority", { type: "poem", text: "rain", priority: 1.5 }],
    ["only zero-width spaces", { type: "poem", text: "\u200b\u200b" }],
    ["a NUL character", { type: "poem", text: "rain\u0000" }],
    ["a lone surrogate", { type: "poem", text: "a\ud800b" }],
  ])("rejects %s", (_name, input) => {
    expect(newPromptSchema.safeParse(input).success).toBe(false);
  });

  it.each([
    [1e300, "priority must be between -100 and 100"],
    [-101, "priority must be between -100 and 100"],
    [1.5, "priority must be a whole number"],
  ])("gives priority %s one reason", (priority, message) => {
    const result = newPromptSchema.safeParse({
      type: "poem",
      text: "rain",
      priority,
    });
    expect(result.error?.issues.map((i) => i.message)).toEqual([message]);
  });

  it("keeps line breaks, tabs, emoji and other scripts", () => {
    const text = "雨の日\n\tétretat 📝 مرحبا";
    expect(newPromptSchema.parse({ type: "poem", text }).text).toBe(text);
  });

  it("counts characters, not UTF-16 units", () => {
    const emoji = "📝".repeat(maxPromptChars);
    expect(
      newPromptSchema.safeParse({ type: "poem", text: emoji }).success,
    ).toBe(true);
    expect(
      newPromptSchema.safeParse({ type: "poem", text: emoji + "📝" }).success,
    ).toBe(false);
  });

  it("accepts text of exactly the maximum length", () => {
    const text = "é".repeat(maxPromptChars);
    expect(newPromptSchema.parse({ type: "story", text }).text).toBe(text);
  });
});

describe("imageSpecSchema", () => {
  it("accepts a full spec", () => {
    expect(imageSpecSchema.parse(image)).toEqual(image);
  });

  it.each([
    ["a missing seed", { ...image, seed: undefined }],
    ["a width not a multiple of 8", { ...image, width: 500 }],
    ["a prompt that is too short", { ...image, prompt: "boat" }],
    ["an extra field", { ...image, steps: 20 }],
    ["a bad palette colour", { ...image, palette: ["#fff", "red"] }],
  ])("rejects %s", (_name, spec) => {
    expect(imageSpecSchema.safeParse(spec).success).toBe(false);
  });
});

describe("songSpecSchema", () => {
  it("accepts a full spec", () => {
    expect(songSpecSchema.parse(song)).toEqual(song);
  });

  it.each([
    [
      "lyrics without a chorus",
      { ...song, lyrics: [song.lyrics[0], song.lyrics[0]] },
    ],
    [
      "an unlabelled section",
      { ...song, lyrics: [{ label: "hook", lines: ["x"] }, song.lyrics[1]] },
    ],
    ["a tempo out of range", { ...song, tempoBpm: 400 }],
    ["no tags", { ...song, tags: [] }],
  ])("rejects %s", (_name, spec) => {
    expect(songSpecSchema.safeParse(spec).success).toBe(false);
  });
});
