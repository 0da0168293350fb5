import { NextResponse } from "next/server";
import { otherMethods } from "../../_lib/methods";
import { readQuery } from "../../_lib/params";
import { route } from "../../_lib/respond";
import { clearSessionCookie } from "../session-cookie";

export const dynamic = "force-dynamic";

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");

// LIMIT: sessions live in their cookie alone, so signing out forgets this
// browser's; a copied cookie stays valid until it expires or ADMIN_TOKEN
// changes.
export const POST = route("POST /api/auth/logout", (request) => {
  readQuery(request, {});
  const response = new NextResponse(null, {
    status: 204,
    headers: { "Cache-Control": "no-store" },
  });
  clearSessionCookie(response, request);
  return response;
});
