import { log } from "@/lib/log";
import { AppError } from "@/lib/errors";
import { maxBodyBytes } from "@/lib/request-limits";

export { maxBodyBytes };

/**
 * Reads a JSON body of at most maxBodyBytes. Counts the bytes actually
 * received, since Content-Length may be missing or wrong.
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  if (!isJsonContentType(request.headers.get("content-type"))) {
    // A browser sends text/plain or a form across sites without asking
    // first; insisting on JSON keeps other sites from submitting prompts.
    throw new AppError(
      "unsupported_media_type",
      "Send the body as JSON, with Content-Type: application/json.",
    );
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > drainLimitBytes) throw tooLarge(request);
  const { text, isComplete } = await readBody(request, maxBodyBytes);
  if (!isComplete) abandonedBodies.add(request);
  if (text === null) throw tooLarge(request);
  if (text.trim() === "") {
    throw new AppError("bad_request", "The request body is empty; send JSON.");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError(
      "bad_request",
      "The request body is not valid JSON.",
      undefined,
      {
        cause: error,
      },
    );
  }
}

function isJsonContentType(header: string | null): boolean {
  const type = header?.split(";")[0].trim().toLowerCase() ?? "";
  return (
    type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type)
  );
}

/**
 * A body larger than this is not read to its end: the connection closes
 * after the answer instead. Below it, the rest is read and dropped, so the
 * keep-alive connection can carry the client's next request.
 */
const drainLimitBytes = 1024 * 1024;

/** Requests whose body was left part-way unread. */
const abandonedBodies = new WeakSet<Request>();

/**
 * Reads the body, keeping its text when it is at most keepBytes (else text
 * is null) and reading on to drainLimitBytes; isComplete says it was read
 * to its end.
 */
async function readBody(
  request: Request,
  keepBytes: number,
): Promise<{ text: string | null; isComplete: boolean }> {
  if (!request.body) return { text: "", isComplete: true };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total <= keepBytes) chunks.push(value);
      if (total > drainLimitBytes) {
        await reader.cancel();
        return { text: null, isComplete: false };
      }
    }
  } catch (error) {
    // The client went away mid-body: its connection is gone anyway.
    log.debug({ err: error }, "request body ended early");
    return { text: null, isComplete: false };
  }
  const text =
    total <= keepBytes ? Buffer.concat(chunks).toString("utf8") : null;
  return { text, isComplete: true };
}

/**
 * Reads what is left of a body the handler did not read; false when part
 * of it stays unread, and the connection must then close: a request not
 * read to its end stalls the client's next request on the same connection.
 */
export async function readRestOfBody(request: Request): Promise<boolean> {
  if (abandonedBodies.has(request)) return false;
  if (!request.body || request.bodyUsed) return true;
  return (await readBody(request, 0)).isComplete;
}

function tooLarge(request: Request) {
  abandonedBodies.add(request);
  return new AppError(
    "payload_too_large",
    `The request body is larger than ${maxBodyBytes / 1024} KiB.`,
  );
}
