import type { Claim, WritingOutput } from "../db/claims";
import { recordWriting } from "../db/claims";
import type { Db } from "../db/client";
import type { Prompt } from "../db/schema";
import { AppError } from "../lib/errors";
import { isMediaType, type PromptType } from "../lib/prompt-types";
import { offlineWriter } from "./offline-writer";
import { parseSpec } from "./spec";
import type { RecordWriting } from "./writing-recorder";

export type WriterInput = { type: PromptType; text: string; seed: number };

/** A text backend: the built-in writer or a language model client. */
export type Writer = {
  backend: string;
  writeText(input: WriterInput, signal: AbortSignal): Promise<string>;
  /** Returns the spec as parsed JSON; the stage validates it. */
  writeSpec(input: WriterInput, signal: AbortSignal): Promise<unknown>;
  /**
   * Whether the backend answers at all, asked without claiming a prompt
   * while it is unreachable; a writer without it is tried again instead.
   */
  isReachable?(signal: AbortSignal): Promise<boolean>;
};

export type WriteStageContext = {
  db: Db;
  signal: AbortSignal;
  writer?: Writer;
  /** Records the writing; by default in a transaction of its own. */
  recordWriting?: RecordWriting;
};

/**
 * Stage 1: writes the text (or, for media prompts, the JSON spec) and
 * records it if the claim still holds its lease.
 */
export async function runWriteStage(
  context: WriteStageContext,
  claim: Claim,
): Promise<Prompt> {
  const { db, signal, writer = offlineWriter } = context;
  const record =
    context.recordWriting ??
    (async (claim: Claim, output: WritingOutput) =>
      recordWriting(db, claim, output));
  if (claim.stage !== "write") {
    throw new Error(`stage 1 cannot run a ${claim.stage} claim`);
  }
  const { type, text, seed } = claim.prompt;
  const input = { type, text, seed };

  if (isMediaType(type)) {
    const spec = parseSpec(type, await writer.writeSpec(input, signal));
    signal.throwIfAborted();
    return record(claim, {
      format: "json",
      content: JSON.stringify(spec, null, 2),
      backend: writer.backend,
    });
  }

  const content = (await writer.writeText(input, signal)).trim();
  signal.throwIfAborted();
  if (!content) {
    throw new AppError("validation_failed", "the writer returned no text");
  }
  return record(claim, {
    format: "text",
    content,
    backend: writer.backend,
  });
}
