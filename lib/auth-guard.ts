import { isSignedIn } from "./auth";
import { AppError } from "./errors";

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Requests that change data yet need no sign-in: submitting prompts is what
 * the page is for, and signing in or out must work while signed out.
 */
const openChanges = new Set([
  "POST /api/prompts",
  "POST /api/prompts/batch",
  "POST /api/auth/login",
  "POST /api/auth/logout",
]);

export function isSafeMethod(method: string): boolean {
  return safeMethods.has(method);
}

/**
 * Refuses a request that changes something when a browser says it comes
 * from another site (its Origin differs from the Host it was sent to).
 */
export function refuseCrossSite(request: Request) {
  if (isSafeMethod(request.method)) return;
  const origin = request.headers.get("origin");
  const fetchSite = request.headers.get("sec-fetch-site");
  const host = request.headers.get("host");
  const isForeignOrigin =
    origin !== null && (origin === "null" || hostOf(origin) !== host);
  if (isForeignOrigin || fetchSite === "cross-site") {
    throw new AppError(
      "forbidden",
      "Requests that change data must come from the Poets page itself.",
    );
  }
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/**
 * With ADMIN_TOKEN set, refuses a request that changes data (other than
 * the open ones) unless it is signed in: a Bearer token or a session cookie.
 */
export function refuseUnauthorised(
  request: Request,
  adminToken: string | undefined,
  nowMs: number,
) {
  if (!adminToken || isSafeMethod(request.method)) return;
  const { pathname } = new URL(request.url);
  if (openChanges.has(`${request.method} ${pathname}`)) return;
  if (isSignedIn(request.headers, adminToken, nowMs)) return;
  throw new AppError(
    "unauthorized",
    "Sign in to do this: open /login, or send Authorization: Bearer " +
      "<ADMIN_TOKEN>.",
  );
}
