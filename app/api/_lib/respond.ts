import { NextResponse } from "next/server";
import { z } from "zod";
import { AppError, httpStatusByCode, type ErrorIssue } from "@/lib/errors";
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
  return json({ error: body }, httpStatusByCode[error.code]);
}

type Handler<C> = (
  request: Request,
  context: C,
) => Promise<Response> | Response;

/**
 * Wraps a route handler: expected errors become their status and body, and
 * anything else is logged once here and answered with a generic 500.
 */
export function route<C>(name: string, handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    const response = await respond(name, handler, request, context);
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
): Promise<Response> {
  try {
    refuseCrossSite(request);
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

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses a request that changes something when a browser says it comes
 * from another site (its Origin differs from the Host it was sent to).
 */
function refuseCrossSite(request: Request) {
  if (safeMethods.has(request.method)) return;
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
