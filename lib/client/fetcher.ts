import type { ApiErrorBody } from "@/lib/api-types";

/** An error answered by the API, decoded from `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** A read that hangs this long fails, so no screen waits on it forever. */
export const readTimeoutMs = 10_000;

/**
 * Fetches JSON from the API, throwing an `ApiError` for any non-2xx answer.
 * A read (GET) also fails after `timeoutMs` (readTimeoutMs by default), as
 * a dead server's would, so a first load that hangs ends in an error and a
 * retry; a change is left to finish, since it may already have happened.
 */
export async function fetchJson<T>(
  path: string,
  init: RequestInit & { timeoutMs?: number } = {},
): Promise<T> {
  const { timeoutMs, ...rest } = init;
  const headers = new Headers(rest.headers);
  headers.set("Accept", "application/json");
  if (rest.body !== undefined) headers.set("Content-Type", "application/json");
  const isRead = (rest.method ?? "GET").toUpperCase() === "GET";
  const signal = isRead
    ? withTimeout(
        rest.signal ?? new AbortController().signal,
        timeoutMs ?? readTimeoutMs,
      )
    : rest.signal;

  const response = await fetch(path, {
    ...rest,
    signal,
    headers,
    cache: "no-store",
  });
  if (!response.ok) {
    const error = await decodeError(response);
    if (isSignInNeeded(error, rest.method, path)) sendToSignIn();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A change refused for want of a sign-in (not a wrong token at sign-in). */
function isSignInNeeded(error: ApiError, method = "GET", path: string) {
  const isChange = !["GET", "HEAD"].includes(method.toUpperCase());
  return (
    error.status === 401 && isChange && !path.startsWith("/api/auth/login")
  );
}

/** Where the sign-in form is, bringing the person back here afterwards. */
export function signInPath(next: string): string {
  return withQuery("/login", { next });
}

function sendToSignIn() {
  const { pathname, search } = window.location;
  window.location.assign(signInPath(pathname + search));
}

/** A polled request that hangs this long counts as failed. */
export const pollTimeoutMs = 8000;

/**
 * The caller's signal, also aborted after `timeoutMs`, so that a server that
 * hangs fails a request the way a dead one does.
 */
export function withTimeout(signal: AbortSignal, timeoutMs: number) {
  // Not AbortSignal.any with AbortSignal.timeout: Node 20 may collect the
  // timeout signal before it fires, and the request then waits forever.
  const controller = new AbortController();
  const timer = setTimeout(() => {
    const message = `no answer within ${timeoutMs} ms`;
    controller.abort(new DOMException(message, "TimeoutError"));
  }, timeoutMs);
  const follow = () => {
    clearTimeout(timer);
    controller.abort(signal.reason);
  };
  if (signal.aborted) follow();
  else signal.addEventListener("abort", follow, { once: true });
  return controller.signal;
}

export function postJson<T>(path: string, body?: unknown): Promise<T> {
  return fetchJson<T>(path, {
    method: "POST",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Builds `path?key=value`, leaving out empty values (the API rejects them). */
export function withQuery(
  path: string,
  params: Record<string, string | number | null | undefined>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") {
      search.set(key, String(value));
    }
  }
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

async function decodeError(response: Response): Promise<ApiError> {
  const fallback = `Request failed (${response.status} ${response.statusText})`;
  try {
    const body = (await response.json()) as Partial<ApiErrorBody>;
    if (body.error && typeof body.error.message === "string") {
      const { code, message, issues } = body.error;
      return new ApiError(response.status, code, message, issues);
    }
  } catch {
    // Not JSON (a proxy page, an empty body): the status line is all we have.
  }
  return new ApiError(response.status, "http_error", fallback);
}
