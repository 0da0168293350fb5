import type { Db } from "@/db/client";
import {
  latestEventId,
  listEventsAfter,
  listRenderProgress,
  type RenderProgress,
  type StreamEvent,
} from "@/db/events";
import { watchCommits, type CommitWatch } from "@/db/watch";
import type {
  ProgressMessage,
  PromptEventMessage,
  StagesMessage,
} from "@/lib/api-types";
import { log } from "@/lib/log";
import { stagePausesJson } from "../stages/stage-route";

export type Subscriber = {
  /** Writes bytes to the client; returns false when the client is gone. */
  write(chunk: Uint8Array): boolean;
  /** Ends the client's stream. */
  close(): void;
};

const encoder = new TextEncoder();
export const keepAliveMs = 10_000;
const pageSize = 500;
/**
 * A client further behind than this is not replayed to (that would hold the
 * server for seconds): it gets a `reset` event and refetches instead.
 */
export const maxReplayEvents = 2000;

/** Several events as one chunk: one write per client, not one per event. */
export function encodeEvents(events: readonly StreamEvent[]): Uint8Array {
  return encoder.encode(events.map(eventText).join(""));
}

function eventText(event: StreamEvent): string {
  const message: PromptEventMessage = {
    id: event.promptId,
    eventId: event.id,
    type: event.type as PromptEventMessage["type"],
    status: event.status as PromptEventMessage["status"],
    artifactStatus:
      event.artifactStatus as PromptEventMessage["artifactStatus"],
    fromStatus: event.fromStatus as PromptEventMessage["fromStatus"],
    fromArtifactStatus:
      event.fromArtifactStatus as PromptEventMessage["fromArtifactStatus"],
    reason: event.reason,
    updatedAt: event.updatedAt.toISOString(),
  };
  return `id: ${event.id}\nevent: prompt\ndata: ${JSON.stringify(message)}\n\n`;
}

/** Progress has no id: a reconnecting client refetches instead. */
export function encodeProgress(row: RenderProgress): Uint8Array {
  const message: ProgressMessage = {
    id: row.promptId,
    progress: row.progress ?? 0,
    lastEventId: row.lastEventId,
  };
  return encoder.encode(
    `event: progress\ndata: ${JSON.stringify(message)}\n\n`,
  );
}

/**
 * Which stages are paused, sent when a pause or resume commits. No id: a
 * reconnecting client refetches the stats, which carry the same.
 */
export function encodeStages(message: StagesMessage): Uint8Array {
  return encoder.encode(`event: stages\ndata: ${JSON.stringify(message)}\n\n`);
}

/**
 * Tells a client that the events it missed will not be sent: it should
 * refetch what it shows. Its id sets the client's Last-Event-ID to ours.
 */
export function encodeReset(lastEventId: number): Uint8Array {
  return encoder.encode(
    `id: ${lastEventId}\nevent: reset\ndata: ${JSON.stringify({ lastEventId })}\n\n`,
  );
}

/**
 * A comment keeps proxies from timing the stream out; the ping event lets a
 * browser notice a stream that went silent without closing.
 */
function keepAlive(): Uint8Array {
  const now = new Date().toISOString();
  return encoder.encode(`: keep-alive\nevent: ping\ndata: ${now}\n\n`);
}

/**
 * One per process: watches the database for commits and writes the new
 * events, encoded once into one chunk per read, to every open stream. The
 * watch and the keep-alive timer exist only while at least one stream is
 * open.
 */
export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private db: Db | null = null;
  private watch: CommitWatch | null = null;
  private keepAlive: NodeJS.Timeout | null = null;
  private lastSentId = 0;
  /** Last progress sent per rendering prompt, to send only changes. */
  private sentProgress = new Map<number, number | null>();
  /** The pauses as last sent (JSON), to send only a change. */
  private sentPauses = "";
  private scheduled = false;
  private closing = false;

  /**
   * Sends the events after `afterId` that were already broadcast, then adds
   * the subscriber. Both happen in one synchronous step, so the client gets
   * every event exactly once and in order. After `closeAll` the subscriber
   * is ended at once.
   */
  subscribe(db: Db, subscriber: Subscriber, afterId: number | null) {
    if (this.closing) {
      subscriber.close();
      return () => {};
    }
    this.start(db);
    if (afterId !== null) this.replay(db, subscriber, afterId);
    this.subscribers.add(subscriber);
    return () => this.unsubscribe(subscriber);
  }

  /**
   * Ends every stream, and every one opened from now on, so that the server
   * can shut down while browsers keep reconnecting.
   */
  closeAll() {
    this.closing = true;
    for (const subscriber of this.subscribers) subscriber.close();
    this.subscribers.clear();
    this.stop();
  }

  stats() {
    return { clients: this.subscribers.size, watching: this.watch !== null };
  }

  /** Whether `closeAll` ran: the server is shutting down. */
  isClosing() {
    return this.closing;
  }

  private start(db: Db) {
    if (this.watch) return;
    this.db = db;
    this.lastSentId = latestEventId(db);
    this.sentPauses = JSON.stringify(stagePausesJson(db));
    this.watch = watchCommits(db, () => this.schedule(), {
      safetyNetMs: 250,
    });
    this.keepAlive = setInterval(() => this.writeAll(keepAlive()), keepAliveMs);
  }

  private stop() {
    this.sentProgress.clear();
    this.watch?.close();
    this.watch = null;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
  }

  private unsubscribe(subscriber: Subscriber) {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.stop();
  }

  private replay(db: Db, subscriber: Subscriber, afterId: number) {
    // Event ids only grow, so their difference bounds the backlog. An id
    // past the newest comes from another database (one that was reset, say):
    // nothing that client shows can be trusted either.
    const isFromElsewhere = afterId > this.lastSentId;
    if (isFromElsewhere || this.lastSentId - afterId > maxReplayEvents) {
      subscriber.write(encodeReset(this.lastSentId));
      return;
    }
    let cursor = afterId;
    while (cursor < this.lastSentId) {
      const page = listEventsAfter(db, cursor, pageSize).filter(
        (e) => e.id <= this.lastSentId,
      );
      if (page.length === 0) break;
      subscriber.write(encodeEvents(page));
      cursor = page[page.length - 1].id;
    }
  }

  /** Coalesces a burst of commit notices into one read. */
  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.broadcastNew();
    });
  }

  private broadcastNew() {
    if (!this.db || !this.watch) return;
    try {
      for (;;) {
        const events = listEventsAfter(this.db, this.lastSentId, pageSize);
        if (events.length === 0) break;
        this.writeAll(encodeEvents(events));
        this.lastSentId = events[events.length - 1].id;
        if (events.length < pageSize) break;
      }
      this.broadcastProgress(this.db);
      this.broadcastPauses(this.db);
    } catch (error) {
      log.error({ err: error }, "event stream read failed");
    }
  }

  /** Sends the progress of each running render that changed since last. */
  private broadcastProgress(db: Db) {
    const running = listRenderProgress(db);
    const seen = new Set<number>();
    for (const row of running) {
      seen.add(row.promptId);
      if (this.sentProgress.get(row.promptId) === row.progress) continue;
      this.sentProgress.set(row.promptId, row.progress);
      if (row.progress !== null) this.writeAll(encodeProgress(row));
    }
    for (const promptId of this.sentProgress.keys()) {
      if (!seen.has(promptId)) this.sentProgress.delete(promptId);
    }
  }

  /**
   * A pause is a settings row, not a prompt event: two rows read on every
   * commit notice, sent only when they changed.
   */
  private broadcastPauses(db: Db) {
    const pauses = stagePausesJson(db);
    const json = JSON.stringify(pauses);
    if (json === this.sentPauses) return;
    this.sentPauses = json;
    this.writeAll(encodeStages(pauses));
  }

  private writeAll(chunk: Uint8Array) {
    for (const subscriber of this.subscribers) {
      if (!subscriber.write(chunk)) this.unsubscribe(subscriber);
    }
  }
}

type GlobalWithHub = typeof globalThis & { __poetsEventHub?: EventHub };
const store = globalThis as GlobalWithHub;

/** The process's hub, shared by every route bundle. */
export const eventHub: EventHub = (store.__poetsEventHub ??= new EventHub());
