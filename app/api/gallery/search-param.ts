import { z } from "zod";

export const maxSearchLength = 200;

/**
 * The `q` of a list: words to search for in prompts and their writings.
 * Blank means no search; any other text is safe to pass on, since db/
 * quotes each word (a search of punctuation alone finds nothing).
 */
export const searchSchema = z
  .string()
  .max(maxSearchLength, `q must be at most ${maxSearchLength} characters long`)
  .transform((q) => q.trim() || undefined)
  .optional();
