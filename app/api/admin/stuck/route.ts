import { listStuckPrompts, stuckRuleText, type StuckRule } from "@/db/admin";
import type { StuckPageJson } from "@/lib/api-types";
import { getConfig } from "@/lib/config";
import { formatDuration } from "@/components/format";
import { appDb } from "../../_lib/db";
import { otherMethods } from "../../_lib/methods";
import { readQuery } from "../../_lib/params";
import { json, route } from "../../_lib/respond";
import { promptJson } from "../../_lib/serialize";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

export const GET = route("GET /api/admin/stuck", (request) => {
  readQuery(request, {});
  const { STUCK_AFTER_MS: thresholdMs, MAX_ATTEMPTS: maxAttempts } =
    getConfig();
  const stuck = listStuckPrompts(appDb(), { thresholdMs, maxAttempts });
  const after = formatDuration(thresholdMs);
  const thresholds: Record<StuckRule, string> = {
    processing_too_long: `lease expired, or running over ${after}`,
    media_waiting: `no change for ${after}`,
    waiting_for_backend: `waiting for over ${after}`,
    failed: `attempts below ${maxAttempts}`,
  };
  const body: StuckPageJson = {
    thresholdMs,
    rules: stuckRuleText,
    thresholds,
    items: stuck.map((s) => ({
      prompt: promptJson(s.prompt),
      rule: s.rule,
      waitingSince: s.waitingSince?.toISOString() ?? null,
    })),
  };
  return json(body);
});
