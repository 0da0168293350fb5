import fs from "node:fs";
import path from "node:path";
import type { PromptType } from "@/lib/prompt-types";

export type Sample = { type: PromptType; text: string };

const samplesPath = path.resolve(
  import.meta.dirname,
  "../fixtures/prompts.jsonl",
);

/** The sample prompts (a copy of shared/samples/prompts.jsonl), one a line. */
export const samples: Sample[] = fs
  .readFileSync(samplesPath, "utf8")
  .split("\n")
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as Sample);
