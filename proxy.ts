import { NextResponse, type NextRequest } from "next/server";
import { isSignedIn } from "@/lib/auth";
import { refuseForeignHost } from "@/lib/auth-guard";
import { getConfig } from "@/lib/config";

// Pages only: the API guards itself in its route wrapper (app/api/_lib/
// respond.ts), which also leaves request bodies unbuffered.
export const config = {
  matcher: [
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};

/** Pages that need a sign-in when ADMIN_TOKEN is set. */
const guardedPages = ["/admin"];

/**
 * Every page gets a fresh script nonce in its Content-Security-Policy (Next
 * puts it on its own inline scripts); a guarded page sends a browser that
 * is not signed in to the sign-in form first.
 */
export function proxy(request: NextRequest) {
  try {
    refuseForeignHost(request.headers, getConfig());
  } catch (error) {
    return new NextResponse((error as Error).message, {
      status: 403,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const redirect = redirectToSignIn(request);
  if (redirect) return redirect;

  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const policy = contentSecurityPolicy(nonce);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

function redirectToSignIn(request: NextRequest): NextResponse | null {
  const { pathname, search } = request.nextUrl;
  const isGuarded = guardedPages.some(
    (page) => pathname === page || pathname.startsWith(`${page}/`),
  );
  const token = getConfig().ADMIN_TOKEN;
  if (!isGuarded || !token) return null;
  if (isSignedIn(request.headers, token, Date.now())) return null;
  const login = new URL("/login", request.url);
  login.searchParams.set("next", pathname + search);
  return NextResponse.redirect(login);
}

function contentSecurityPolicy(nonce: string): string {
  const isDev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    // React in development evaluates code to rebuild server stacks.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    // A style attribute cannot run code; progress bars set their width.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
