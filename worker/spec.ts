import type { z } from "zod";
import { AppError } from "../lib/errors";
import {
  specSchemaByType,
  type ImageSpec,
  type MediaType,
  type SongSpec,
} from "../lib/prompt-types";

export type SpecByType = { image_prompt: ImageSpec; lyrics_prompt: SongSpec };

const specNames: Record<MediaType, string> = {
  image_prompt: "image spec",
  lyrics_prompt: "song spec",
};

/**
 * Validates a media spec against its type's schema; a bad spec becomes an
 * AppError whose message says which fields are wrong.
 */
export function parseSpec<T extends MediaType>(
  type: T,
  value: unknown,
): SpecByType[T] {
  const result = (specSchemaByType[type] as z.ZodType).safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: issue.path.join(".") || "(spec)",
      message: issue.message,
    }));
    const summary = issues
      .slice(0, 5)
      .map((i) => `${i.path}: ${i.message}`)
      .join("; ");
    throw new AppError(
      "validation_failed",
      `the ${specNames[type]} is not valid: ${summary}`,
      issues,
    );
  }
  return result.data as SpecByType[T];
}

/** Parses a stored JSON spec, with a readable error for broken JSON. */
export function parseSpecJson<T extends MediaType>(
  type: T,
  content: string,
): SpecByType[T] {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    throw new AppError(
      "validation_failed",
      `the ${specNames[type]} is not valid JSON: ${(error as Error).message}`,
      undefined,
      { cause: error },
    );
  }
  return parseSpec(type, value);
}
