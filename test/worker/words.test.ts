import { describe, expect, it } from "vitest";
import { countSyllables, readPromptWords } from "@/worker/words";

describe("readPromptWords", () => {
  it("keeps content words and groups them into short phrases", () => {
    const words = readPromptWords(
      "Rain on a tin roof in late October, heard from a kitchen table",
    );

    expect(words.language).toBe("en");
    expect(words.phrases).toContain("tin roof");
    expect(words.phrases).toContain("kitchen table");
    expect(words.words).not.toContain("on");
  });

  it("reads French and Japanese prompts as their own words", () => {
    const french = readPromptWords("Un poème sur la mer à Étretat");
    const japanese = readPromptWords("雨の日の東京についての詩");

    expect(french.language).toBe("fr");
    expect(french.words).toEqual(
      expect.arrayContaining(["poème", "mer", "Étretat"]),
    );
    expect(japanese.language).toBe("ja");
    expect(japanese.words).toEqual(expect.arrayContaining(["雨", "東京"]));
    expect(japanese.words).not.toContain("の");
  });

  it("treats markup and SQL as plain words", () => {
    const words = readPromptWords("<script>alert(1)</script> a red balloon");
    const sql = readPromptWords("Robert'); DROP TABLE prompts;--");

    expect(words.words).toEqual(
      expect.arrayContaining(["script", "alert", "red", "balloon"]),
    );
    expect(sql.words).toEqual(expect.arrayContaining(["drop", "table"]));
  });

  it("falls back to a few words when the prompt has none", () => {
    expect(readPromptWords("📝📝 !!!").words.length).toBeGreaterThanOrEqual(3);
  });

  it("clamps very long words", () => {
    const [word] = readPromptWords("x".repeat(4000)).words;

    expect(Array.from(word).length).toBeLessThanOrEqual(24);
  });
});

describe("countSyllables", () => {
  it("counts English syllables roughly right", () => {
    expect(countSyllables("rain")).toBe(1);
    expect(countSyllables("windshield")).toBe(2);
    expect(countSyllables("umbrella")).toBe(3);
    expect(countSyllables("nurses")).toBe(2);
    expect(countSyllables("table")).toBe(2);
    expect(countSyllables("first frost on the windshield")).toBe(6);
  });

  it("counts kana as morae and kanji as two", () => {
    expect(countSyllables("かな")).toBe(2);
    expect(countSyllables("東京")).toBe(4);
  });
});
