import { AppError } from "@/lib/errors";
import { route } from "../_lib/respond";

export const dynamic = "force-dynamic";

/**
 * Unknown API paths (and /api itself) answer in the API's own error format,
 * whatever the method: there is nothing here to allow or refuse.
 */
const notFound = route("api not found", (request) => {
  const { pathname } = new URL(request.url);
  throw new AppError("not_found", `There is no API at ${pathname}.`);
});

export {
  notFound as GET,
  notFound as POST,
  notFound as PUT,
  notFound as PATCH,
  notFound as DELETE,
  notFound as OPTIONS,
};
