import { isLoopbackHost, isSignedIn } from "./auth";
import { AppError } from "./errors";
import { noteWrongToken, refuseWhileGuessing } from "./sign-in-limit";

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
 * Refuses a request sent under a Host name Poets does not answer to: a page
 * on another site whose name was made to point at this machine (DNS
 * rebinding) would otherwise read and change the queue as if it were
 * local. Loopback names always pass, and ALLOWED_HOSTS adds names (a
 * reverse proxy's, a LAN address). With ADMIN_TOKEN set and ALLOWED_HOSTS
 * unset any name passes, since changes need a sign-in anyway.
 */
export function refuseForeignHost(
  headers: Headers,
  config: { ADMIN_TOKEN?: string; ALLOWED_HOSTS?: string[] },
) {
  const host = headers.get("host");
  if (!host) return;
  if (config.ADMIN_TOKEN && !config.ALLOWED_HOSTS) return;
  const name = hostName(host);
  if (isLoopbackHost(name) || config.ALLOWED_HOSTS?.includes(name)) return;
  throw new AppError(
    "forbidden",
    `Poets does not answer to the host name ${JSON.stringify(name)}: ` +
      "open it as 127.0.0.1 or localhost, or add the name to ALLOWED_HOSTS.",
  );
}

/** The name part of a Host header, lower case, without the port. */
function hostName(host: string): string {
  const bracketed = /^(\[[^\]]*\])(:\d+)?$/.exec(host);
  if (bracketed) return bracketed[1].toLowerCase();
  return host.replace(/:\d+$/, "").toLowerCase();
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
  if (isSignedInCounted(request.headers, adminToken, nowMs)) return;
  throw new AppError(
    "unauthorized",
    "Sign in to do this: open /login, or send Authorization: Bearer " +
      "<ADMIN_TOKEN>.",
  );
}

/**
 * Submitting is open to anyone, but only at the normal priority: with
 * ADMIN_TOKEN set, a priority above 0 (jumping the queue) needs a sign-in,
 * as changing one later does.
 */
export function refusePriorityUnlessSignedIn(
  request: Request,
  priority: number | undefined,
  adminToken: string | undefined,
  nowMs: number,
) {
  if (!adminToken || !priority || priority <= 0) return;
  if (isSignedInCounted(request.headers, adminToken, nowMs)) return;
  throw new AppError(
    "unauthorized",
    "Sign in to submit above the normal priority: open /login, or send " +
      "Authorization: Bearer <ADMIN_TOKEN>; or leave priority at 0.",
  );
}

/**
 * isSignedIn, with a Bearer token counted as a sign-in attempt: wrong ones
 * add to the guessing limit, and none is read while it is reached.
 */
function isSignedInCounted(
  headers: Headers,
  adminToken: string,
  nowMs: number,
): boolean {
  const hasBearer = /^Bearer\s/i.test(headers.get("authorization") ?? "");
  if (hasBearer) refuseWhileGuessing(nowMs);
  const isIn = isSignedIn(headers, adminToken, nowMs);
  if (hasBearer && !isIn) noteWrongToken(nowMs);
  return isIn;
}
