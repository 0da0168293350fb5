import { AppError } from "@/lib/errors";
import { errorResponse, route } from "./respond";

type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
const methods: Method[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

// Next answers HEAD itself with the GET handler when a route exports GET.
type Refused<A extends Method> = Exclude<
  Method,
  A | ("GET" extends A ? "HEAD" : never)
>;

type Handler = (request: Request, context: unknown) => Promise<Response>;

/**
 * The handlers a route exports besides its own: a JSON 405 with an Allow
 * header for every other method, and OPTIONS. Next's own 405 has an empty
 * body, and its OPTIONS would list these refusals as allowed.
 */
export function otherMethods<A extends Method>(
  ...allowed: A[]
): Record<Refused<A> | "OPTIONS", Handler> {
  const answered = allowedWithImplied(allowed);
  const allow = [...answered, "OPTIONS"].sort().join(", ");
  // Neither answer changes anything, so neither waits on a sign-in: a
  // wrong method is 405 whoever sends it.
  const refuse = route(
    "method not allowed",
    (request) => {
      const { pathname } = new URL(request.url);
      const response = errorResponse(
        new AppError(
          "method_not_allowed",
          `${pathname} answers ${allow}, not ${request.method}.`,
        ),
      );
      response.headers.set("Allow", allow);
      return response;
    },
    { needsSignIn: false },
  );
  const options = route(
    "OPTIONS",
    () => new Response(null, { status: 204, headers: { Allow: allow } }),
    { needsSignIn: false },
  );
  const refused = methods.filter((method) => !answered.includes(method));
  return {
    ...Object.fromEntries(refused.map((method) => [method, refuse])),
    OPTIONS: options,
  } as Record<Refused<A> | "OPTIONS", Handler>;
}

function allowedWithImplied(allowed: Method[]): Method[] {
  return allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
}
