import { z } from "zod";
import { AppError } from "@/lib/errors";
import { appDb } from "../_lib/db";
import { otherMethods } from "../_lib/methods";
import { readQuery } from "../_lib/params";
import { route } from "../_lib/respond";
import { openClientStream } from "./client-stream";
import { eventHub } from "./hub";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

export const GET = route("GET /api/events", (request) => {
  if (eventHub.isClosing()) {
    // A browser does not reconnect after an error status; ours retries later.
    throw new AppError("shutting_down", "The server is shutting down.");
  }
  const query = readQuery(request, { lastEventId: z.string().optional() });
  const afterId = lastEventIdOf(request, query.lastEventId);
  const db = appDb();

  const stream = openClientStream((subscriber) => {
    const unsubscribe = eventHub.subscribe(db, subscriber, afterId);
    request.signal.addEventListener("abort", () => subscriber.close());
    return unsubscribe;
  });

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
