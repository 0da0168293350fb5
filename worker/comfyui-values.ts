import { createHash } from "node:crypto";
import type { LyricSection, MediaType } from "../lib/prompt-types";
import type { SpecByType } from "./spec";

export type Submission = {
  jobId: string;
  /** Random per submission, so that no two submissions are the same graph. */
  nonce: string;
  promptId: number;
};

/**
 * The values a template's mapping can ask for, from the spec and the
 * submission: text, sizes and length from the spec; the seed and file name
 * prefix new each submission.
 */
export function workflowValues<T extends MediaType>(
  type: T,
  spec: SpecByType[T],
  submission: Submission,
): Record<string, string | number> {
  const common = {
    seed: seedOf(submission),
    filenamePrefix: `poets/${submission.promptId}-${submission.nonce}`,
  };
  if (type === "image_prompt") {
    const image = spec as SpecByType["image_prompt"];
    return {
      ...common,
      prompt: `${image.prompt}, ${image.style}`,
      negativePrompt: image.negativePrompt,
      width: image.width,
      height: image.height,
    };
  }
  const song = spec as SpecByType["lyrics_prompt"];
  return {
    ...common,
    tags: [song.genre, ...song.tags].join(", "),
    lyrics: formatLyrics(song.lyrics),
    durationSeconds: song.durationSeconds,
    tempoBpm: song.tempoBpm,
    key: song.key,
  };
}

/** A 48-bit seed from the job id: every sampler's seed input takes it. */
function seedOf({ jobId, nonce }: Submission): number {
  return createHash("sha256")
    .update(`${jobId}:${nonce}`)
    .digest()
    .readUIntBE(0, 6);
}

/** ACE-Step's lyric format: a [label] line before each section. */
function formatLyrics(sections: LyricSection[]): string {
  return sections
    .map((section) => `[${section.label}]\n${section.lines.join("\n")}`)
    .join("\n\n");
}
