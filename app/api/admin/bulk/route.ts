import { z } from "zod";
import { applyBulkAction } from "@/db/admin";
import type { BulkResponseJson } from "@/lib/api-types";
import { readJsonBody } from "../../_lib/body";
import { appDb } from "../../_lib/db";
import { otherMethods } from "../../_lib/methods";
import { readQuery } from "../../_lib/params";
import { json, parseWith, route } from "../../_lib/respond";
import { promptJson } from "../../_lib/serialize";

export const dynamic = "force-dynamic";

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");

/** More ids than a page of stuck prompts shows at once. */
export const maxBulkIds = 500;

const bulkSchema = z.strictObject({
  action: z.enum(["requeue", "retry", "cancel"]),
  ids: z
    .array(z.number().int().positive())
    .min(1, "ids must name at least one prompt")
    .max(maxBulkIds, `ids may name at most ${maxBulkIds} prompts`)
    .refine((ids) => new Set(ids).size === ids.length, "ids repeat a prompt"),
  preview: z.boolean().default(false),
});

// Per-id results in one transaction: the prompts the action suits change
// together, the others say why not. With preview the same work is rolled
// back, so the preview is what a run would do at that moment.
export const POST = route("POST /api/admin/bulk", async (request) => {
  readQuery(request, {});
  const input = parseWith(bulkSchema, await readJsonBody(request), "body");
  const results = applyBulkAction(appDb(), input);
  const body: BulkResponseJson = {
    action: input.action,
    preview: input.preview,
    results: results.map((result) =>
      result.ok ? { ...result, prompt: promptJson(result.prompt) } : result,
    ),
  };
  return json(body);
});
