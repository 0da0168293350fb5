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

/** Finished work, newest first, one keyset page at a time. */
export function listGalleryItems(
  db: Db,
  filter: { type?: PromptType; beforeId?: number; limit: number },
): { items: GalleryItem[]; nextCursor: number | null } {
  const conditions: (SQL | undefined)[] = [
    eq(prompts.status, "completed"),
    or(isNull(prompts.artifactStatus), eq(prompts.artifactStatus, "ready")),
  ];
  if (filter.type) conditions.push(eq(prompts.type, filter.type));
  if (filter.beforeId) conditions.push(lt(prompts.id, filter.beforeId));

  const rows = db
    .select()
    .from(prompts)
    .where(and(...conditions))
    .orderBy(desc(prompts.id))
    .limit(filter.limit + 1)
    .all();
  const page = rows.slice(0, filter.limit);
  const items = attachOutputs(db, page);
  const hasMore = rows.length > filter.limit;
  return { items, nextCursor: hasMore ? page[page.length - 1].id : null };
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
