import { countPrompts } from "@/db/prompts";
import type { StatsJson } from "@/lib/api-types";
import { appDb } from "../_lib/db";
import { otherMethods } from "../_lib/methods";
import { readQuery } from "../_lib/params";
import { json, route } from "../_lib/respond";
import { pickWorker, recentWorkersJson } from "../_lib/workers";
import { stagePausesJson } from "../stages/stage-route";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

export const GET = route("GET /api/stats", (request) => {
  readQuery(request, {});
  const db = appDb();
  const counts = countPrompts(db);
  const total = Object.values(counts.byStatus).reduce((a, b) => a + b, 0);
  const body: StatsJson = {
    total,
    ...counts,
    worker: pickWorker(recentWorkersJson(db)),
    ...stagePausesJson(db),
  };
  return json(body);
});
