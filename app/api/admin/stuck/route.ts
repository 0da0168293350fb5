import { listStuckPrompts, stuckRuleText } from "@/db/admin";
import type { StuckPageJson } from "@/lib/api-types";
import { getConfig } from "@/lib/config";
import { appDb } from "../../_lib/db";
import { otherMethods } from "../../_lib/methods";
import { readQuery } from "../../_lib/params";
import { json, route } from "../../_lib/respond";
import { promptJson } from "../../_lib/serialize";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

export const GET = route("GET /api/admin/stuck", (request) => {
  readQuery(request, {});
  const thresholdMs = getConfig().STUCK_AFTER_MS;
  const stuck = listStuckPrompts(appDb(), { thresholdMs });
  const body: StuckPageJson = {
    thresholdMs,
    rules: stuckRuleText,
    items: stuck.map((s) => ({ prompt: promptJson(s.prompt), rule: s.rule })),
  };
  return json(body);
});
