import { z } from "zod";
import { AppError } from "@/lib/errors";
import { appDb } from "../_lib/db";
import { otherMethods } from "../_lib/methods";
import { readQuery } from "../_lib/params";
import { route } from "../_lib/respond";
import { eventHub } from "./hub";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

/** A client whose unread backlog passes this is dropped; it reconnects. */
const maxBacklogBytes = 4 * 1024 * 1024;

export const GET = route("GET /api/events", (request) => {
  if (eventHub.isClosing()) {
    // A browser does not reconnect after an error status; ours retries later.
    throw new AppError("shutting_down", "The server is shutting down.");
  }
  const query = readQuery(request, { lastEventId: z.string().optional() });
  const afterId = lastEventIdOf(request, query.lastEventId);
  const db = appDb();
  let unsubscribe = () => {};

  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(new TextEncoder().encode("retry: 1000\n: open\n\n"));
        const close = () => {
          try {
            controller.close();
          } catch {
            // already closed by the runtime
          }
        };
        unsubscribe = eventHub.subscribe(
          db,
          {
            close,
            write(chunk) {
              if ((controller.desiredSize ?? 0) < -maxBacklogBytes) {
                close();
                return false;
              }
              try {
                controller.enqueue(chunk);
                return true;
              } catch {
                return false;
              }
            },
          },
          afterId,
        );
        request.signal.addEventListener("abort", () => {
          unsubscribe();
          close();
        });
      },
      cancel() {
        unsubscribe();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
  );

  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
});

function lastEventIdOf(
  request: Request,
  fromQuery: string | undefined,
): number | null {
  const raw = request.headers.get("last-event-id") ?? fromQuery ?? null;
  if (raw === null || !/^\d{1,15}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}
