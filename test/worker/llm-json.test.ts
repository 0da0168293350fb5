import { describe, expect, it } from "vitest";
import { checkSpec, extractJson, specJsonSchema } from "@/worker/llm-json";

describe("extractJson", () => {
  it("reads a bare answer, a fence with or without a language, and prose around a block", () => {
    const answers = [
      '  {"a": 1}\n',
      '```json\n{"a": 1}\n```',
      '```\n{"a": 1}\n```',
      'Here it is:\n```JSON\n{"a": 1}\n```\nAnything else?',
      'Sure {not json}! {"a": 1} Hope that helps }',
      '<think>Maybe {"a": 2}?</think>\n{"a": 1}',
    ];

    expect(answers.map(extractJson)).toEqual(
      answers.map(() => ({ value: { a: 1 } })),
    );
  });

  it("keeps braces and quotes inside strings", () => {
    const answer = 'Spec: {"title": "A } and a \\" and a {", "n": 2} done';

    expect(extractJson(answer)).toEqual({
      value: { title: 'A } and a " and a {', n: 2 },
    });
  });

  it("finds nothing in prose or in a block cut short", () => {
    expect(extractJson("A lighthouse, painted warm.")).toBeNull();
    expect(extractJson('{"title": "Leaving Ho')).toBeNull();
  });
});

describe("checkSpec", () => {
  it("names each bad field by its path", () => {
    const check = checkSpec("image_prompt", '{"title": "x", "width": 13}');

    expect(check.outcome).toBe("invalid");
    const paths =
      check.outcome === "invalid" ? check.issues.map((i) => i.path) : [];
    expect(paths).toEqual(expect.arrayContaining(["prompt", "width", "seed"]));
  });
});

describe("specJsonSchema", () => {
  it("gives servers a plain JSON Schema that says the chorus rule in words", () => {
    const song = specJsonSchema("lyrics_prompt");
    const image = specJsonSchema("image_prompt");

    expect(song).not.toHaveProperty("$schema");
    expect(song).toMatchObject({
      type: "object",
      additionalProperties: false,
      properties: {
        tempoBpm: { type: "integer", minimum: 40, maximum: 220 },
        lyrics: {
          type: "array",
          minItems: 2,
          description: expect.stringMatching(/chorus/),
        },
      },
    });
    expect(image).toMatchObject({
      properties: { width: { type: "integer", multipleOf: 8 } },
    });
    expect(image.required).not.toContain("palette");
  });
});
