import { NextResponse } from "next/server";
import { z } from "zod";
import {
  refuseCrossSite,
  refuseForeignHost,
  refuseUnauthorised,
} from "@/lib/auth-guard";
import { getConfig } from "@/lib/config";
import { AppError, httpStatusByCode, type ErrorIssue } from "@/lib/errors";
import { TooManyWrongTokensError } from "@/lib/sign-in-limit";
import { log } from "@/lib/log";
import { readRestOfBody } from "./body";

const noStore = { "Cache-Control": "no-store" };

export function json(body: unknown, status = 200): NextResponse {
  return NextResponse.json(body, { status, headers: noStore });
}

export function errorResponse(error: AppError): NextResponse {
  const body: { code: string; message: string; issues?: ErrorIssue[] } = {
    code: error.code,
    message: error.message,
  };
  if (error.issues) body.issues = error.issues;
  const response = json({ error: body }, httpStatusByCode[error.code]);
  if (error.code === "unauthorized") {
    response.headers.set("WWW-Authenticate", 'Bearer realm="Poets"');
  }
  if (error instanceof TooManyWrongTokensError) {
    response.headers.set("Retry-After", String(error.retryAfterS));
  }
  return response;
}

// An API answer is data, never a page: it may load nothing and be framed
// nowhere. A route with its own policy (artifact files) keeps it.
const apiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

type Handler<C> = (
  request: Request,
  context: C,
) => Promise<Response> | Response;

type RouteOptions = {
  /**
   * False for answers that change nothing whoever asks (a wrong method's
   * 405): they need no sign-in, so a signed-out caller learns the method is
   * wrong rather than that signing in would help.
   */
  needsSignIn?: boolean;
};

/**
 * Wraps a route handler: a change from another site, or one that needs a
 * sign-in without one, is refused before the handler runs; expected errors
 * become their status and body, and anything else is logged once here and
 * answered with a generic 500. Every API route goes through here, so a new
 * route is guarded without asking.
 */
export function route<C>(
  name: string,
  handler: Handler<C>,
  { needsSignIn = true }: RouteOptions = {},
): Handler<C> {
  return async (request, context) => {
    const response = await respond(
      name,
      handler,
      request,
      context,
      needsSignIn,
    );
    if (!response.headers.has("Content-Security-Policy")) {
      response.headers.set("Content-Security-Policy", apiContentSecurityPolicy);
    }
    if (!(await readRestOfBody(request))) {
      response.headers.set("Connection", "close");
    }
    return response;
  };
}

async function respond<C>(
  name: string,
  handler: Handler<C>,
  request: Request,
  context: C,
  needsSignIn: boolean,
): Promise<Response> {
  try {
    refuseForeignHost(request.headers, getConfig());
    refuseCrossSite(request);
    if (needsSignIn) {
      refuseUnauthorised(request, getConfig().ADMIN_TOKEN, Date.now());
    }
    return await handler(request, context);
  } catch (error) {
    if (error instanceof AppError) return errorResponse(error);
    log.error({ err: error, route: name }, "request failed");
    return json(
      { error: { code: "internal", message: "Something went wrong." } },
      500,
    );
  }
}

/** Issues with their paths; one about the whole value gets `wholeLabel`. */
export function issuesOf(error: z.ZodError, wholeLabel: string): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.join(".") || wholeLabel,
    message: issue.message,
  }));
}

/** Parses with zod, or throws a validation_failed AppError. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AppError(
      "validation_failed",
      `Invalid ${what}: ${result.error.issues[0]?.message ?? "bad value"}`,
      issuesOf(result.error, what === "query" ? "(query)" : "(body)"),
    );
  }
  return result.data;
}
