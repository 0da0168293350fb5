import { isSignedIn, type AuthStateJson } from "@/lib/auth";
import { getConfig } from "@/lib/config";
import { otherMethods } from "../_lib/methods";
import { readQuery } from "../_lib/params";
import { json, route } from "../_lib/respond";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

export const GET = route("GET /api/auth", (request) => {
  readQuery(request, {});
  const token = getConfig().ADMIN_TOKEN;
  const body: AuthStateJson = {
    required: token !== undefined,
    signedIn:
      token !== undefined && isSignedIn(request.headers, token, Date.now()),
  };
  return json(body);
});
