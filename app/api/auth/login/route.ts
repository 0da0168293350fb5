import { setTimeout as sleep } from "node:timers/promises";
import { NextResponse } from "next/server";
import { z } from "zod";
import { isTokenCorrect } from "@/lib/auth";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { noteWrongToken, refuseWhileGuessing } from "@/lib/sign-in-limit";
import { readJsonBody } from "../../_lib/body";
import { otherMethods } from "../../_lib/methods";
import { readQuery } from "../../_lib/params";
import { parseWith, route } from "../../_lib/respond";
import { setSessionCookie } from "../session-cookie";

export const dynamic = "force-dynamic";

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");

const loginSchema = z.object({
  token: z.string({ error: "token must be a string" }).min(1, "token is empty"),
});

// Each wrong token costs its sender this long, so guessing is slow.
const wrongTokenDelayMs = 500;

export const POST = route("POST /api/auth/login", async (request) => {
  readQuery(request, {});
  const { token } = parseWith(
    loginSchema,
    await readJsonBody(request),
    "sign-in",
  );
  const adminToken = getConfig().ADMIN_TOKEN;
  if (!adminToken) {
    throw new AppError(
      "conflict",
      "Sign-in is off: ADMIN_TOKEN is not set, so nothing needs it.",
    );
  }
  refuseWhileGuessing(Date.now());
  if (!isTokenCorrect(token, adminToken)) {
    noteWrongToken(Date.now());
    log.warn({ route: "POST /api/auth/login" }, "wrong admin token");
    await sleep(wrongTokenDelayMs);
    throw new AppError("unauthorized", "That token is not ADMIN_TOKEN.");
  }

  const response = new NextResponse(null, {
    status: 204,
    headers: { "Cache-Control": "no-store" },
  });
  setSessionCookie(response, request, adminToken, Date.now());
  return response;
});
