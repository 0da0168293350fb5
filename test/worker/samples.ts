import fs from "node:fs";
import path from "node:path";
import type { PromptType } from "@/lib/prompt-types";

export type Sample = { type: PromptType; text: string };

const samplesPath = path.resolve(
  import.meta.dirname,
  "../../../shared/samples/prompts.jsonl",
);

/** The shared sample prompts, one per line of prompts.jsonl. */
export const samples: Sample[] = fs
  .readFileSync(samplesPath, "utf8")
  .split("\n")
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as Sample);
