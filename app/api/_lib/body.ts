import { log } from "@/lib/log";
import { AppError } from "@/lib/errors";

export const maxBodyBytes = 64 * 1024;

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
  if (declared > maxBodyBytes) throw tooLarge();
  const text = await readLimitedText(request);
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

async function readLimitedText(request: Request): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBodyBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Reads what is left of a body the handler refused without reading, up to
 * maxBodyBytes. A keep-alive connection whose request was never read to its
 * end stalls the client's next request on it until the server resets it.
 */
export async function discardUnreadBody(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed) return;
  const reader = request.body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.byteLength;
      if (total > maxBodyBytes) break;
    }
    await reader.cancel();
  } catch (error) {
    // The client went away mid-body: there is nothing left to read.
    log.debug({ err: error }, "unread body ended early");
  }
}

function tooLarge() {
  return new AppError(
    "payload_too_large",
    `The request body is larger than ${maxBodyBytes / 1024} KiB.`,
  );
}
