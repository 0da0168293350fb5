import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The admin session cookie: `<issuedAtMs>.<HMAC of it with ADMIN_TOKEN>`. */
export const sessionCookieName = "poets_admin";
export const sessionMaxAgeMs = 7 * 24 * 3600 * 1000;

// A cookie issued by a clock slightly ahead still counts; one from further
// in the future was not made here.
const clockSkewMs = 60_000;

function macOf(token: string, issuedAtMs: number): Buffer {
  return createHmac("sha256", token)
    .update(`poets-admin-session:${issuedAtMs}`)
    .digest();
}

/**
 * A session cookie's value. It holds no secret and needs no server state:
 * it stays valid across restarts until it expires, and a new ADMIN_TOKEN
 * ends every session at once.
 */
export function signSession(token: string, issuedAtMs: number): string {
  return `${issuedAtMs}.${macOf(token, issuedAtMs).toString("base64url")}`;
}

export function isSessionValid(
  value: string,
  token: string,
  nowMs: number,
): boolean {
  const match = /^([0-9]{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return false;
  const issuedAtMs = Number(match[1]);
  const age = nowMs - issuedAtMs;
  if (age > sessionMaxAgeMs || age < -clockSkewMs) return false;
  const given = Buffer.from(match[2], "base64url");
  return timingSafeEqual(given, macOf(token, issuedAtMs));
}

/**
 * Compares a token someone typed with ADMIN_TOKEN in constant time: both
 * are hashed first, so neither their contents nor their lengths leak.
 */
export function isTokenCorrect(given: string, token: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** A `Cookie` header's value for one name, or null. */
export function readCookie(header: string | null, name: string): string | null {
  for (const pair of header?.split(";") ?? []) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) {
      return pair.slice(at + 1).trim();
    }
  }
  return null;
}

/** Whether a request carries `Authorization: Bearer <ADMIN_TOKEN>` or a valid session cookie. */
export function isSignedIn(
  headers: Headers,
  token: string,
  nowMs: number,
): boolean {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(
    headers.get("authorization") ?? "",
  );
  if (bearer) return isTokenCorrect(bearer[1], token);
  const session = readCookie(headers.get("cookie"), sessionCookieName);
  return session !== null && isSessionValid(session, token, nowMs);
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost reach only this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return (
    bare === "localhost" ||
    bare === "::1" ||
    /^(::ffff:)?127(\.[0-9]{1,3}){3}$/.test(bare)
  );
}

/**
 * Why the web app must not listen on `host`, or null: other machines could
 * change the queue while ADMIN_TOKEN is unset. `how` names the setting that
 * chose the address (`HOST`, or next start's `-H`).
 */
export function findExposureProblem(
  host: string,
  adminToken: string | undefined,
  how: "HOST" | "-H",
): string | null {
  if (adminToken || isLoopbackHost(host)) return null;
  const everywhere = ["0.0.0.0", "::"].includes(host)
    ? " (every network interface)"
    : "";
  const asked =
    how === "HOST"
      ? `HOST=${host}${everywhere}`
      : `Listening on ${host}${everywhere}`;
  const loopback = how === "HOST" ? "HOST=127.0.0.1" : "-H 127.0.0.1";
  return (
    `${asked} lets other machines reach Poets, and ADMIN_TOKEN is not set: ` +
    `set ADMIN_TOKEN (at least 16 characters) to guard the admin page and ` +
    `API, or use ${loopback}.`
  );
}

/** `GET /api/auth`: whether changes need a sign-in, and whether this browser has one. */
export type AuthStateJson = { required: boolean; signedIn: boolean };
