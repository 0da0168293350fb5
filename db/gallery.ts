import {
  and,
  asc,
  desc,
  eq,
  inArray,
  isNull,
  lt,
  or,
  type SQL,
} from "drizzle-orm";
import type { PromptType } from "../lib/prompt-types";
import type { Db } from "./client";
import { matchesSearch, toMatchQuery } from "./search";
import {
  artifacts,
  prompts,
  writings,
  type Artifact,
  type Prompt,
  type Writing,
} from "./schema";

export type GalleryItem = {
  prompt: Prompt;
  writing: Writing | null;
  artifacts: Artifact[];
};

export type GalleryFilter = {
  type?: PromptType;
  /** Words to search for in the prompt and its writing. */
  q?: string;
  beforeId?: number;
  limit: number;
};

/** Finished work, newest first, one keyset page at a time. */
export function listGalleryItems(
  db: Db,
  filter: GalleryFilter,
): { items: GalleryItem[]; nextCursor: number | null } {
  const query = galleryPageQuery(db, filter);
  // A search with no word in it can match nothing the index holds.
  if (!query) return { items: [], nextCursor: null };

  const rows = query.all();
  const page = rows.slice(0, filter.limit);
  const items = attachOutputs(db, page);
  const hasMore = rows.length > filter.limit;
  return { items, nextCursor: hasMore ? page[page.length - 1].id : null };
}

/**
 * The query for one page of finished prompts (one row more than the page,
 * to tell whether another follows); null for a search with no word in it.
 * Exported so that tests can read its query plan.
 */
export function galleryPageQuery(db: Db, filter: GalleryFilter) {
  const match = filter.q === undefined ? undefined : toMatchQuery(filter.q);
  if (match === null) return null;
  const conditions: (SQL | undefined)[] = [
    eq(prompts.status, "completed"),
    or(isNull(prompts.artifactStatus), eq(prompts.artifactStatus, "ready")),
  ];
  if (filter.type) conditions.push(eq(prompts.type, filter.type));
  if (filter.beforeId) conditions.push(lt(prompts.id, filter.beforeId));
  if (match) conditions.push(matchesSearch(match));

  return db
    .select()
    .from(prompts)
    .where(and(...conditions))
    .orderBy(desc(prompts.id))
    .limit(filter.limit + 1);
}

function attachOutputs(db: Db, page: Prompt[]): GalleryItem[] {
  const writingIds = page
    .map((p) => p.outputReference)
    .filter((id): id is number => id !== null);
  if (writingIds.length === 0) {
    return page.map((prompt) => ({ prompt, writing: null, artifacts: [] }));
  }
  const writingRows = db
    .select()
    .from(writings)
    .where(inArray(writings.id, writingIds))
    .all();
  const artifactRows = db
    .select()
    .from(artifacts)
    .where(inArray(artifacts.writingId, writingIds))
    .orderBy(asc(artifacts.id))
    .all();
  return page.map((prompt) => ({
    prompt,
    writing: writingRows.find((w) => w.id === prompt.outputReference) ?? null,
    artifacts: artifactRows.filter(
      (a) => a.writingId === prompt.outputReference,
    ),
  }));
}
