import { EventSource } from "eventsource";
import type { PromptEventMessage } from "@/lib/api-types";

export type ReceivedEvent = PromptEventMessage & {
  lastEventId: string;
  receivedAt: number;
};

export type EventStreamClient = {
  events: ReceivedEvent[];
  opened: Promise<void>;
  close(): void;
};

/** Listens to /api/events with the eventsource client, as a browser would. */
export function openEventStream(
  baseUrl: string,
  options: { lastEventId?: number } = {},
): EventStreamClient {
  const events: ReceivedEvent[] = [];
  const source = new EventSource(`${baseUrl}/api/events`, {
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: {
          ...init?.headers,
          ...(options.lastEventId !== undefined
            ? { "Last-Event-ID": String(options.lastEventId) }
            : {}),
        },
      }),
  });
  source.addEventListener("prompt", (message) => {
    events.push({
      ...(JSON.parse(message.data) as PromptEventMessage),
      lastEventId: message.lastEventId,
      receivedAt: Date.now(),
    });
  });
  const opened = new Promise<void>((resolve, reject) => {
    source.addEventListener("open", () => resolve(), { once: true });
    source.addEventListener("error", (e) => reject(e), { once: true });
  });
  return { events, opened, close: () => source.close() };
}
