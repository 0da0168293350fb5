import {
  promptTextSchema,
  promptTypeSchema,
  promptTypes,
  type PromptType,
} from "./prompt-types";

// Parses a pasted batch of prompts, in the browser (for the preview) and in
// the app (for the answer): the same rows and the same line errors in both.

export const maxBatchPrompts = 1000;

/** One prompt of a batch; `line` is where it starts in the pasted text. */
export type BatchRow = { line: number; type: PromptType; text: string };

export type BatchError = { line: number; message: string };

export type BatchParse = { rows: BatchRow[]; errors: BatchError[] };

/** A batch as the API takes it: plain lines of one type, or CSV. */
export type BatchInput = { text: string; type: PromptType } | { csv: string };

export function parseBatch(input: BatchInput): BatchParse {
  const parsed = "csv" in input ? parseCsvBatch(input.csv) : parseLines(input);
  const errors = [...parsed.errors];
  if (parsed.rows.length === 0 && errors.length === 0) {
    errors.push({ line: 1, message: "there are no prompts in the batch" });
  }
  if (parsed.rows.length > maxBatchPrompts) {
    errors.push({
      line: parsed.rows[maxBatchPrompts].line,
      message:
        `a batch holds at most ${maxBatchPrompts} prompts; this one has ` +
        `${parsed.rows.length}`,
    });
  }
  return { rows: parsed.rows, errors };
}

/** One prompt per line; blank lines are skipped but still counted. */
function parseLines(input: { text: string; type: PromptType }): BatchParse {
  const parse: BatchParse = { rows: [], errors: [] };
  stripBom(input.text)
    .split(/\r\n|\n|\r/)
    .forEach((raw, index) => {
      if (raw.trim() === "") return;
      addRow(parse, index + 1, input.type, raw);
    });
  return parse;
}

function parseCsvBatch(csv: string): BatchParse {
  const parse: BatchParse = { rows: [], errors: [] };
  const { records, error } = parseCsv(stripBom(csv));
  records.forEach((record, index) => {
    if (index === 0 && isHeader(record.fields)) return;
    if (record.fields.length === 1 && record.fields[0].trim() === "") return;
    if (record.fields.length !== 2) {
      parse.errors.push({
        line: record.line,
        message:
          `expected 2 fields (type,text), found ${record.fields.length}; ` +
          'put a text with commas in double quotes: poem,"rain, then sun"',
      });
      return;
    }
    const [type, text] = record.fields;
    const typeResult = promptTypeSchema.safeParse(type.trim());
    if (!typeResult.success) {
      parse.errors.push({
        line: record.line,
        message:
          `unknown type "${type.trim()}"; use one of ` + promptTypes.join(", "),
      });
      return;
    }
    addRow(parse, record.line, typeResult.data, text);
  });
  if (error) parse.errors.push(error);
  return parse;
}

function addRow(
  parse: BatchParse,
  line: number,
  type: PromptType,
  raw: string,
) {
  const result = promptTextSchema.safeParse(raw);
  if (result.success) {
    parse.rows.push({ line, type, text: result.data });
  } else {
    parse.errors.push({
      line,
      message: result.error.issues[0]?.message ?? "bad text",
    });
  }
}

function isHeader(fields: string[]): boolean {
  return (
    fields.length === 2 &&
    fields[0].trim().toLowerCase() === "type" &&
    fields[1].trim().toLowerCase() === "text"
  );
}

function stripBom(text: string): string {
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

/** A CSV record and the line it starts on (quoted fields may span lines). */
export type CsvRecord = { line: number; fields: string[] };

/**
 * RFC 4180 records: fields split by commas, records by CRLF, LF or CR; a
 * field in double quotes may hold commas, line breaks and doubled quotes.
 * Spaces around a quoted field are allowed and dropped. Stops at the first
 * malformed record and reports its line; the records before it are kept.
 */
export function parseCsv(csv: string): {
  records: CsvRecord[];
  error: BatchError | null;
} {
  const scanner = new CsvScanner(csv);
  const records: CsvRecord[] = [];
  try {
    while (!scanner.isDone()) records.push(scanner.readRecord());
    return { records, error: null };
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    return { records, error: { line: error.line, message: error.message } };
  }
}

class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

class CsvScanner {
  private at = 0;
  private line = 1;

  constructor(private readonly csv: string) {}

  isDone(): boolean {
    return this.at >= this.csv.length;
  }

  readRecord(): CsvRecord {
    const start = this.line;
    const fields: string[] = [];
    for (;;) {
      fields.push(this.readField());
      if (this.isDone()) break;
      const char = this.csv[this.at];
      if (char === ",") {
        this.at++;
        continue;
      }
      this.readLineBreak();
      break;
    }
    return { line: start, fields };
  }

  private readField(): string {
    let next = this.at;
    while (this.csv[next] === " " || this.csv[next] === "\t") next++;
    if (this.csv[next] === '"') {
      this.at = next;
      return this.readQuoted();
    }
    let value = "";
    while (!this.isDone() && !isDelimiter(this.csv[this.at])) {
      if (this.csv[this.at] === '"') {
        throw new CsvSyntaxError(
          this.line,
          "a double quote inside a field that does not start with one; " +
            'put the whole field in quotes and double the quote ("")',
        );
      }
      value += this.csv[this.at++];
    }
    return value;
  }

  private readQuoted(): string {
    const openedOn = this.line;
    let value = "";
    this.at++;
    for (;;) {
      if (this.isDone()) {
        throw new CsvSyntaxError(
          openedOn,
          `a quoted field opened on line ${openedOn} is never closed`,
        );
      }
      const char = this.csv[this.at];
      if (char === '"' && this.csv[this.at + 1] === '"') {
        value += '"';
        this.at += 2;
      } else if (char === '"') {
        this.at++;
        break;
      } else {
        if (
          char === "\n" ||
          (char === "\r" && this.csv[this.at + 1] !== "\n")
        ) {
          this.line++;
        }
        value += char;
        this.at++;
      }
    }
    this.skipBlanksAfterQuote();
    return value;
  }

  private skipBlanksAfterQuote() {
    while (this.csv[this.at] === " " || this.csv[this.at] === "\t") this.at++;
    if (!this.isDone() && !isDelimiter(this.csv[this.at])) {
      throw new CsvSyntaxError(
        this.line,
        "text after a closing double quote; a quote inside a quoted field " +
          'is written twice ("")',
      );
    }
  }

  private readLineBreak() {
    if (this.csv[this.at] === "\r" && this.csv[this.at + 1] === "\n") {
      this.at += 2;
    } else {
      this.at++;
    }
    this.line++;
  }
}

function isDelimiter(char: string): boolean {
  return char === "," || char === "\n" || char === "\r";
}
