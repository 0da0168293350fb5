import { sql, type SQL } from "drizzle-orm";
import { prompts } from "./schema";

/** More words than this add little but cost; the rest are ignored. */
export const maxSearchTerms = 12;

// A word as unicode61 tokenizes it: letters and digits (and the marks on
// them). Anything else separates words, as it does in the index.
const wordPattern = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/**
 * A person's search as an FTS5 query that cannot be a syntax error: each
 * word quoted, every word required, the last one also as a prefix (so a word
 * still being typed matches). null when the search holds no word at all.
 */
export function toMatchQuery(search: string): string | null {
  const words = search.normalize("NFC").match(wordPattern) ?? [];
  const terms = words.slice(0, maxSearchTerms);
  if (terms.length === 0) return null;
  return terms
    .map((term, i) => (i === terms.length - 1 ? `"${term}"*` : `"${term}"`))
    .join(" ");
}

/**
 * A condition on prompts: the prompt's text or current writing holds every
 * word of `match` (from toMatchQuery). The search index is the
 * prompt_search table the migrations keep in step with prompts and writings.
 */
export function matchesSearch(match: string): SQL {
  return sql`${prompts.id} IN (SELECT rowid FROM prompt_search WHERE prompt_search MATCH ${match})`;
}
