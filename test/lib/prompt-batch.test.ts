import { describe, expect, it } from "vitest";
import { parseBatch, parseCsv } from "@/lib/prompt-batch";

describe("parseCsv", () => {
  it("splits plain fields on commas and records on LF, CRLF and CR", () => {
    const { records, error } = parseCsv("a,b\nc,d\r\ne,f\rg,h");

    expect(error).toBeNull();
    expect(records).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["c", "d"] },
      { line: 3, fields: ["e", "f"] },
      { line: 4, fields: ["g", "h"] },
    ]);
  });

  it("reads quoted fields with commas, doubled quotes and line breaks", () => {
    const { records, error } = parseCsv(
      'poem,"rain, then sun"\nstory,"she said ""go"""\nhaiku,"one\r\ntwo\nthree"\npoem,""',
    );

    expect(error).toBeNull();
    expect(records).toEqual([
      { line: 1, fields: ["poem", "rain, then sun"] },
      { line: 2, fields: ["story", 'she said "go"'] },
      { line: 3, fields: ["haiku", "one\r\ntwo\nthree"] },
      { line: 6, fields: ["poem", ""] },
    ]);
  });

  it("keeps spaces in a plain field and drops them around a quoted one", () => {
    const { records } = parseCsv('poem,  a b  \npoem , "c, d"  ');

    expect(records.map((r) => r.fields)).toEqual([
      ["poem", "  a b  "],
      ["poem ", "c, d"],
    ]);
  });

  it("ends without an empty record after a final line break", () => {
    expect(parseCsv("a,b\r\n").records).toEqual([
      { line: 1, fields: ["a", "b"] },
    ]);
  });

  it("keeps empty fields, also a trailing one", () => {
    expect(parseCsv(",\na,").records.map((r) => r.fields)).toEqual([
      ["", ""],
      ["a", ""],
    ]);
  });

  it.each([
    ['poem,"never closed\nstill open', 1, /opened on line 1 is never closed/],
    ['poem,ok\npoem,a "quote" inside', 2, /double quote inside a field/],
    ['poem,ok\n\npoem,"closed" then more', 3, /text after a closing double/],
    ['a,"x\ny\nz"q', 3, /text after a closing double/],
  ])("names the line of a malformed record: %j", (csv, line, message) => {
    const { error } = parseCsv(csv);

    expect(error?.line).toBe(line);
    expect(error?.message).toMatch(message);
  });
});

describe("parseBatch", () => {
  it("takes one prompt per line, skipping blank lines but counting them", () => {
    const { rows, errors } = parseBatch({
      type: "haiku",
      text: "first frost\n\n  moon on water  \r\n   \nlast leaf\n",
    });

    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { line: 1, type: "haiku", text: "first frost" },
      { line: 3, type: "haiku", text: "moon on water" },
      { line: 5, type: "haiku", text: "last leaf" },
    ]);
  });

  it("reads CSV rows of type and text, with or without a header", () => {
    const csv =
      '\uFEFFtype,text\npoem,"rain, on a roof"\nimage_prompt,a lighthouse';
    const withHeader = parseBatch({ csv });
    const without = parseBatch({ csv: "lyrics_prompt,leaving home" });

    expect(withHeader).toEqual({
      rows: [
        { line: 2, type: "poem", text: "rain, on a roof" },
        { line: 3, type: "image_prompt", text: "a lighthouse" },
      ],
      errors: [],
    });
    expect(without.rows).toEqual([
      { line: 1, type: "lyrics_prompt", text: "leaving home" },
    ]);
  });

  it("names the line of every bad row", () => {
    const { rows, errors } = parseBatch({
      csv: [
        "type,text",
        "poem,fine",
        "limerick,a man from Nantucket",
        "poem,   ",
        "poem,a,b",
        'story,"ok"',
        "haiku,\u0007bell",
      ].join("\n"),
    });

    expect(rows.map((r) => r.line)).toEqual([2, 6]);
    expect(errors).toEqual([
      {
        line: 3,
        message: expect.stringMatching(/^unknown type "limerick"; use one of/),
      },
      { line: 4, message: "text is empty" },
      { line: 5, message: expect.stringMatching(/expected 2 fields .* 3/) },
      { line: 7, message: "text has a control character" },
    ]);
  });

  it("names a line over 4000 characters", () => {
    const { errors } = parseBatch({
      type: "poem",
      text: `ok\n${"a".repeat(4001)}`,
    });

    expect(errors).toEqual([
      { line: 2, message: "text is longer than 4000 characters" },
    ]);
  });

  it("keeps the rows before a CSV syntax error and reports its line", () => {
    const { rows, errors } = parseBatch({ csv: 'poem,one\npoem,"two' });

    expect(rows).toHaveLength(1);
    expect(errors).toEqual([
      { line: 2, message: expect.stringMatching(/never closed/) },
    ]);
  });

  it("refuses an empty batch", () => {
    expect(parseBatch({ type: "poem", text: "\n \n" }).errors).toEqual([
      { line: 1, message: "there are no prompts in the batch" },
    ]);
    expect(parseBatch({ csv: "type,text\n" }).errors).toHaveLength(1);
  });

  it("takes 1000 prompts and refuses 1001, naming the first line too many", () => {
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) => `prompt ${i}`).join("\n");

    expect(parseBatch({ type: "poem", text: lines(1000) }).errors).toEqual([]);
    expect(parseBatch({ type: "poem", text: lines(1001) }).errors).toEqual([
      {
        line: 1001,
        message: "a batch holds at most 1000 prompts; this one has 1001",
      },
    ]);
  });
});
