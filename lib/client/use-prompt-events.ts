import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import type {
  PromptEventMessage,
  StagesMessage,
  StatsJson,
} from "@/lib/api-types";
import { announce } from "./announcements";
import {
  applyPromptEvent,
  applyPromptProgress,
  findCachedPrompt,
} from "./prompt-cache";
import { promptDetailQuery } from "./prompts";
import {
  adminKeys,
  galleryKeys,
  healthKeys,
  promptKeys,
  statsKeys,
} from "./query-keys";

export type StreamState = "connecting" | "live" | "reconnecting";

const flushDelayMs = 300;
const firstRetryMs = 1000;
const maxRetryMs = 30_000;
/**
 * The server sends a ping every 10 s. A stream can die without an error (a
 * killed server behind a proxy, a laptop waking from sleep), so this long
 * with no message at all counts as a lost connection.
 */
export const silenceLimitMs = 25_000;
/** Past this many unknown prompts in one flush, refetching lists is cheaper. */
const maxPromptFetchesPerFlush = 5;

/**
 * Opens the tab's one EventSource on /api/events and keeps the query cache
 * current from it. Mount once, in the providers.
 */
export function usePromptEvents() {
  const client = useQueryClient();
  useEffect(() => connectPromptEvents(client), [client]);
}

/** Whether the event stream is connected, for a "live" indicator. */
export function useStreamState(): StreamState {
  return useSyncExternalStore(
    subscribeToState,
    () => streamState,
    () => "connecting",
  );
}

let streamState: StreamState = "connecting";
const stateListeners = new Set<() => void>();

function setStreamState(next: StreamState) {
  if (next === streamState) return;
  streamState = next;
  for (const listener of stateListeners) listener();
}

function subscribeToState(listener: () => void) {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

/** Opens the stream and keeps it open; returns the function that ends it. */
export function connectPromptEvents(client: QueryClient): () => void {
  const batch = createEventBatch(client);
  let source: EventSource | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let silenceTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = firstRetryMs;

  const reopenLater = () => {
    clearTimeout(silenceTimer);
    source?.close();
    retryTimer = setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, maxRetryMs);
  };

  // Any message proves the stream alive and restarts the count.
  const watchSilence = () => {
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => {
      setStreamState("reconnecting");
      void client.invalidateQueries();
      reopenLater();
    }, silenceLimitMs);
  };

  const open = () => {
    source = new EventSource("/api/events");
    watchSilence();
    source.onopen = () => {
      retryMs = firstRetryMs;
      watchSilence();
      setStreamState("live");
      // Events sent while we were away (or before the first connection) are
      // not replayed to a fresh connection, so converge by refetching.
      void client.invalidateQueries();
    };
    source.addEventListener("prompt", (event) => {
      watchSilence();
      batch.add(JSON.parse((event as MessageEvent<string>).data));
    });
    source.addEventListener("progress", (event) => {
      watchSilence();
      applyPromptProgress(client, JSON.parse((event as MessageEvent).data));
    });
    source.addEventListener("stages", (event) => {
      watchSilence();
      applyStages(client, JSON.parse((event as MessageEvent<string>).data));
    });
    source.addEventListener("ping", watchSilence);
    // Too much was missed to replay: the server asks for a refetch.
    source.addEventListener("reset", () => {
      watchSilence();
      void client.invalidateQueries();
    });
    source.onerror = () => {
      if (streamState === "live") recheckServer(client);
      setStreamState("reconnecting");
      // The browser retries by itself unless the stream is closed for good
      // (an error status, a wrong content type); then we retry with backoff.
      if (source?.readyState === EventSource.CLOSED) reopenLater();
    };
  };

  open();
  return () => {
    clearTimeout(retryTimer);
    clearTimeout(silenceTimer);
    source?.close();
    batch.stop();
    setStreamState("connecting");
  };
}

/** A lost stream may mean a dead server: let the footer and banner find out. */
function recheckServer(client: QueryClient) {
  void client.invalidateQueries({ queryKey: statsKeys.all });
  void client.invalidateQueries({ queryKey: healthKeys.all });
}

/**
 * A stage was paused or resumed (here or in another tab): the Stages panel
 * changes at once, and the stats are fetched again for the rest.
 */
function applyStages(client: QueryClient, message: StagesMessage) {
  client.setQueryData<StatsJson>(statsKeys.all, (stats) =>
    stats
      ? { ...stats, paused: message.paused, pausedSince: message.pausedSince }
      : stats,
  );
  void client.invalidateQueries({ queryKey: statsKeys.all });
}

/**
 * Changes that keep a prompt's state but clear fields an event does not
 * carry (its writing, attempts, seed): the prompt is fetched whole.
 */
const restartReasons = new Set([
  "re-rendering requested",
  "re-writing requested",
]);

/**
 * An event that changes more than the state: an edit, a priority change or
 * a move to the top keeps the state and changes the text, type or priority.
 */
function isEditLike(message: PromptEventMessage): boolean {
  const isSameState =
    message.fromStatus === message.status &&
    message.fromArtifactStatus === message.artifactStatus;
  return isSameState || restartReasons.has(message.reason);
}

/**
 * Applies each event to cached prompts at once (badges change immediately),
 * and gathers the follow-up refetches of a burst into one flush.
 */
function createEventBatch(client: QueryClient) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const touched = new Set<number>();
  const needFullPrompt = new Set<number>();
  let isGalleryChanged = false;

  const add = (message: PromptEventMessage) => {
    const before = findCachedPrompt(client, message.id);
    const { isUnknown } = applyPromptEvent(client, message);
    announce(describe(message));

    touched.add(message.id);
    // Events carry the state only: fetch the prompt when its text, type or
    // priority may have changed, when an error appears, or when one shown
    // may have been cleared.
    if (
      isUnknown ||
      isEditLike(message) ||
      message.status === "failed" ||
      before?.lastError
    ) {
      needFullPrompt.add(message.id);
    }
    if (isFinished(message)) isGalleryChanged = true;
    timer ??= setTimeout(flush, flushDelayMs);
  };

  const flush = () => {
    timer = undefined;
    const isBulk = needFullPrompt.size > maxPromptFetchesPerFlush;
    for (const promptId of touched) {
      if (needFullPrompt.has(promptId) && !isBulk) {
        // A fetched detail spreads into the lists (see prompt-cache.ts).
        void client.prefetchQuery({
          ...promptDetailQuery(promptId),
          staleTime: 0,
        });
      } else {
        refreshDetail(client, promptId);
      }
    }
    if (isBulk) void client.invalidateQueries({ queryKey: promptKeys.lists() });
    // Work moving means a worker is alive: health and stats may have changed.
    void client.invalidateQueries({ queryKey: statsKeys.all });
    void client.invalidateQueries({ queryKey: healthKeys.all });
    void client.invalidateQueries({ queryKey: adminKeys.stuck() });
    if (isGalleryChanged) {
      void client.invalidateQueries({ queryKey: galleryKeys.all });
    }
    touched.clear();
    needFullPrompt.clear();
    isGalleryChanged = false;
  };

  const stop = () => clearTimeout(timer);
  return { add, stop };
}

/**
 * Refetches a detail on screen; drops one that isn't, so opening it later
 * shows the whole timeline instead of an old one while it reloads.
 */
function refreshDetail(client: QueryClient, promptId: number) {
  const queryKey = promptKeys.detail(promptId);
  const query = client.getQueryCache().find({ queryKey, exact: true });
  if (!query) return;
  if (query.getObserversCount() > 0) {
    void client.invalidateQueries({ queryKey, exact: true });
  } else {
    client.removeQueries({ queryKey, exact: true });
  }
}

function isFinished(message: PromptEventMessage) {
  return (
    message.status === "completed" &&
    (message.artifactStatus === null || message.artifactStatus === "ready")
  );
}

function describe(message: PromptEventMessage): string {
  const artifact = message.artifactStatus
    ? `, artifact ${message.artifactStatus}`
    : "";
  return `Prompt ${message.id} is ${message.status}${artifact}.`;
}
