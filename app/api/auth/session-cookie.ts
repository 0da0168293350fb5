import type { NextResponse } from "next/server";
import { sessionCookieName, sessionMaxAgeMs, signSession } from "@/lib/auth";

/** Served over https, directly or behind a proxy that says so. */
function isHttps(request: Request): boolean {
  const forwarded = request.headers.get("x-forwarded-proto");
  const protocol = forwarded?.split(",")[0].trim().toLowerCase();
  return protocol === "https" || new URL(request.url).protocol === "https:";
}

function cookieOptions(request: Request) {
  return {
    httpOnly: true,
    sameSite: "strict" as const,
    secure: isHttps(request),
    path: "/",
  };
}

export function setSessionCookie(
  response: NextResponse,
  request: Request,
  token: string,
  nowMs: number,
) {
  response.cookies.set(sessionCookieName, signSession(token, nowMs), {
    ...cookieOptions(request),
    maxAge: sessionMaxAgeMs / 1000,
  });
}

export function clearSessionCookie(response: NextResponse, request: Request) {
  response.cookies.set(sessionCookieName, "", {
    ...cookieOptions(request),
    maxAge: 0,
  });
}
