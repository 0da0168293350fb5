import { refusePriorityUnlessSignedIn } from "@/lib/auth-guard";
import { getConfig } from "@/lib/config";
import { createPrompt, listPrompts } from "@/db/prompts";
import {
  artifactStatusSchema,
  newPromptSchema,
  promptTypeSchema,
  statusSchema,
} from "@/lib/prompt-types";
import { readJsonBody } from "../_lib/body";
import { appDb } from "../_lib/db";
import { otherMethods } from "../_lib/methods";
import { cursorSchema, limitSchema, readQuery } from "../_lib/params";
import { json, parseWith, route } from "../_lib/respond";
import { promptJson } from "../_lib/serialize";
import { searchSchema } from "../gallery/search-param";

export const dynamic = "force-dynamic";

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");

const listQuery = {
  status: statusSchema.optional(),
  artifactStatus: artifactStatusSchema.optional(),
  type: promptTypeSchema.optional(),
  q: searchSchema,
  limit: limitSchema,
  cursor: cursorSchema,
};

export const GET = route("GET /api/prompts", (request) => {
  const query = readQuery(request, listQuery);
  const page = listPrompts(appDb(), { ...query, beforeId: query.cursor });
  return json({
    items: page.items.map(promptJson),
    nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
  });
});

export const POST = route("POST /api/prompts", async (request) => {
  readQuery(request, {});
  const body = await readJsonBody(request);
  const input = parseWith(newPromptSchema, body, "prompt");
  refusePriorityUnlessSignedIn(
    request,
    input.priority,
    getConfig().ADMIN_TOKEN,
    Date.now(),
  );
  const prompt = createPrompt(appDb(), input);
  return json({ prompt: promptJson(prompt) }, 201);
});
