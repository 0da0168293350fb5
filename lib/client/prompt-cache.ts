import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import type {
  PromptDetailJson,
  PromptEventMessage,
  PromptJson,
  PromptPageJson,
  ProgressMessage,
} from "@/lib/api-types";
import { promptKeys, type PromptListFilter } from "./query-keys";

// Keeps every cached copy of a prompt at its newest known version. Versions
// are ordered by `lastEventId`: an event or a response never replaces a copy
// that an event newer than it has already updated.

export type PromptPages = InfiniteData<PromptPageJson, string | null>;

type Versioned = Pick<PromptJson, "id" | "lastEventId">;

/** What an event says about a prompt: its new state and version. */
export function promptPatchOf(message: PromptEventMessage) {
  return {
    status: message.status,
    artifactStatus: message.artifactStatus,
    updatedAt: message.updatedAt,
    lastEventId: message.eventId,
  } satisfies Partial<PromptJson>;
}

export type PromptPatch = ReturnType<typeof promptPatchOf>;

export function isPromptMatch(
  prompt: Pick<PromptJson, "status" | "artifactStatus" | "type">,
  filter: PromptListFilter,
): boolean {
  if (filter.status && prompt.status !== filter.status) return false;
  if (filter.type && prompt.type !== filter.type) return false;
  if (
    filter.artifactStatus &&
    prompt.artifactStatus !== filter.artifactStatus
  ) {
    return false;
  }
  return true;
}

/**
 * Whether a list should take in a prompt it does not hold. Only the server
 * knows which prompts a search finds (their writings count too), so a search
 * list gains prompts when it is fetched again, never from an event.
 */
function isNewMatch(
  prompt: Pick<PromptJson, "status" | "artifactStatus" | "type">,
  filter: PromptListFilter,
): boolean {
  return !filter.q && isPromptMatch(prompt, filter);
}

/** A full prompt wins a tie (it carries fields events don't); a patch doesn't. */
function isNewer(candidate: Versioned, current: Versioned, full: boolean) {
  return full
    ? candidate.lastEventId >= current.lastEventId
    : candidate.lastEventId > current.lastEventId;
}

function merge(current: PromptJson, update: PromptJson | PromptPatch) {
  const full = "text" in update;
  if (current === update) return current;
  if (!isNewer({ ...update, id: current.id }, current, full)) return current;
  return full ? update : { ...current, ...update };
}

/** The newest full copy of a prompt anywhere in the cache, or null. */
export function findCachedPrompt(
  client: QueryClient,
  promptId: number,
): PromptJson | null {
  let found =
    client.getQueryData<PromptDetailJson>(promptKeys.detail(promptId))
      ?.prompt ?? null;
  for (const [, data] of client.getQueriesData<PromptPages>({
    queryKey: promptKeys.lists(),
  })) {
    for (const page of data?.pages ?? []) {
      const item = page.items.find((p) => p.id === promptId);
      if (item && (!found || item.lastEventId > found.lastEventId)) {
        found = item;
      }
    }
  }
  return found;
}

/**
 * Applies a new version of one prompt to a list: replaces the copy in place,
 * drops it when it no longer matches the list's filter, or inserts it in id
 * order when it newly matches. Returns the same object when nothing changed.
 */
export function updatePromptPages(
  data: PromptPages,
  filter: PromptListFilter,
  promptId: number,
  update: PromptJson | PromptPatch,
): PromptPages {
  const located = locate(data, promptId);
  if (located) {
    const merged = merge(located.item, update);
    if (merged === located.item) return data;
    return isPromptMatch(merged, filter)
      ? replaceItem(data, located.pageIndex, promptId, merged)
      : removeItem(data, located.pageIndex, promptId);
  }
  if (!("text" in update) || !isNewMatch(update, filter)) return data;
  return insertItem(data, update);
}

function locate(data: PromptPages, promptId: number) {
  for (const [pageIndex, page] of data.pages.entries()) {
    const item = page.items.find((p) => p.id === promptId);
    if (item) return { pageIndex, item };
  }
  return null;
}

function withPage(
  data: PromptPages,
  pageIndex: number,
  items: PromptJson[],
): PromptPages {
  const pages = data.pages.map((page, i) =>
    i === pageIndex ? { ...page, items } : page,
  );
  return { ...data, pages };
}

function replaceItem(
  data: PromptPages,
  pageIndex: number,
  promptId: number,
  prompt: PromptJson,
) {
  const items = data.pages[pageIndex].items.map((p) =>
    p.id === promptId ? prompt : p,
  );
  return withPage(data, pageIndex, items);
}

function removeItem(data: PromptPages, pageIndex: number, promptId: number) {
  const items = data.pages[pageIndex].items.filter((p) => p.id !== promptId);
  return withPage(data, pageIndex, items);
}

/**
 * Lists are newest (highest id) first and pages are keyset slices, so a
 * prompt belongs in the first page whose lowest id is below its own. Past the
 * loaded pages it is left for "load more" to fetch.
 */
function insertItem(data: PromptPages, prompt: PromptJson): PromptPages {
  const pageIndex = data.pages.findIndex((page, i) => {
    const lowest = page.items.at(-1);
    const isLastPage = i === data.pages.length - 1;
    if (lowest)
      return prompt.id > lowest.id || (isLastPage && !page.nextCursor);
    return isLastPage && !page.nextCursor;
  });
  if (pageIndex === -1) return data;

  const items = [...data.pages[pageIndex].items];
  const at = items.findIndex((p) => p.id < prompt.id);
  items.splice(at === -1 ? items.length : at, 0, prompt);
  return withPage(data, pageIndex, items);
}

function filterOf(queryKey: readonly unknown[]): PromptListFilter {
  return (queryKey[2] ?? {}) as PromptListFilter;
}

function updateLists(
  client: QueryClient,
  promptId: number,
  update: PromptJson | PromptPatch,
) {
  for (const query of client
    .getQueryCache()
    .findAll({ queryKey: promptKeys.lists() })) {
    const data = query.state.data as PromptPages | undefined;
    if (!data) continue;
    const next = updatePromptPages(
      data,
      filterOf(query.queryKey),
      promptId,
      update,
    );
    if (next !== data) client.setQueryData(query.queryKey, next);
  }
}

/** Applies a new version of a prompt to every cached list and its detail. */
export function applyPromptUpdate(
  client: QueryClient,
  promptId: number,
  update: PromptJson | PromptPatch,
) {
  updateLists(client, promptId, update);
  const detail = client.getQueryData<PromptDetailJson>(
    promptKeys.detail(promptId),
  );
  const merged = detail && merge(detail.prompt, update);
  if (detail && merged !== detail.prompt) {
    client.setQueryData(promptKeys.detail(promptId), {
      ...detail,
      prompt: merged,
    });
  }
}

/**
 * Applies an event and remembers it, so that a response fetched before the
 * event but arriving after it cannot undo it. Reports a prompt that some
 * list should now show but that no query holds in full, for the caller to
 * fetch.
 */
export function applyPromptEvent(
  client: QueryClient,
  message: PromptEventMessage,
): { isUnknown: boolean } {
  const patch = promptPatchOf(message);
  rememberPatch(client, message.id, patch);

  const cached = findCachedPrompt(client, message.id);
  if (cached) {
    applyPromptUpdate(client, message.id, merge(cached, patch));
    return { isUnknown: false };
  }
  const isWanted = client
    .getQueryCache()
    .findAll({ queryKey: promptKeys.lists() })
    .some((query) => isNewMatch(message, filterOf(query.queryKey)));
  return { isUnknown: isWanted };
}

const maxRememberedPatches = 2000;
const latestPatches = new WeakMap<QueryClient, Map<number, PromptPatch>>();

function rememberPatch(
  client: QueryClient,
  promptId: number,
  patch: PromptPatch,
) {
  let patches = latestPatches.get(client);
  if (!patches) latestPatches.set(client, (patches = new Map()));
  const known = patches.get(promptId);
  if (known && known.lastEventId >= patch.lastEventId) return;

  patches.delete(promptId);
  patches.set(promptId, patch);
  if (patches.size > maxRememberedPatches) {
    patches.delete(patches.keys().next().value as number);
  }
}

/**
 * Watches prompt responses as they land: brings any copy older than a
 * remembered event up to date, and spreads a freshly fetched detail into the
 * lists (it carries fields events don't, such as the last error).
 */
export function watchPromptResponses(client: QueryClient): () => void {
  return client.getQueryCache().subscribe((event) => {
    if (event.type !== "updated" || event.action.type !== "success") return;
    const [resource, kind] = event.query.queryKey as readonly unknown[];
    if (resource !== promptKeys.all[0]) return;

    const patches = latestPatches.get(client) ?? new Map<number, PromptPatch>();
    if (kind === "detail") {
      const detail = event.query.state.data as PromptDetailJson | undefined;
      if (!detail) return;
      const patch = patches.get(detail.prompt.id);
      if (patch) applyPromptUpdate(client, detail.prompt.id, patch);
      updateLists(client, detail.prompt.id, detail.prompt);
      return;
    }
    const data = event.query.state.data as PromptPages | undefined;
    const ids = data?.pages.flatMap((page) => page.items.map((p) => p.id));
    for (const promptId of ids ?? []) {
      const patch = patches.get(promptId);
      if (patch) applyPromptUpdate(client, promptId, patch);
    }
  });
}

/**
 * Sets a rendering prompt's progress wherever it is cached, but only on the
 * version the progress belongs to: a copy that moved on keeps its own.
 */
export function applyPromptProgress(
  client: QueryClient,
  message: ProgressMessage,
) {
  const update = (prompt: PromptJson) =>
    prompt.id === message.id &&
    prompt.lastEventId === message.lastEventId &&
    prompt.progress !== message.progress
      ? { ...prompt, progress: message.progress }
      : prompt;

  for (const query of client
    .getQueryCache()
    .findAll({ queryKey: promptKeys.lists() })) {
    const data = query.state.data as PromptPages | undefined;
    const located = data && locate(data, message.id);
    if (!data || !located) continue;
    const next = update(located.item);
    if (next === located.item) continue;
    client.setQueryData(
      query.queryKey,
      replaceItem(data, located.pageIndex, message.id, next),
    );
  }
  const detail = client.getQueryData<PromptDetailJson>(
    promptKeys.detail(message.id),
  );
  if (detail && update(detail.prompt) !== detail.prompt) {
    client.setQueryData(promptKeys.detail(message.id), {
      ...detail,
      prompt: update(detail.prompt),
    });
  }
}
