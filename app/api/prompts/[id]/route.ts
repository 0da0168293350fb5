import { z } from "zod";
import { getPromptDetail, listPromptHistory } from "@/db/prompts";
import { editPrompt } from "@/db/queue-control";
import type { PromptDetailWithHistoryJson } from "@/lib/api-types";
import { AppError } from "@/lib/errors";
import { promptTextSchema, promptTypeSchema } from "@/lib/prompt-types";
import { readJsonBody } from "../../_lib/body";
import { appDb } from "../../_lib/db";
import { otherMethods } from "../../_lib/methods";
import { readId, readQuery } from "../../_lib/params";
import { json, parseWith, route } from "../../_lib/respond";
import {
  artifactJson,
  eventJson,
  promptJson,
  writingJson,
} from "../../_lib/serialize";

export const dynamic = "force-dynamic";

export const { POST, PUT, DELETE, OPTIONS } = otherMethods("GET", "PATCH");

type Context = { params: Promise<{ id: string }> };

export const GET = route(
  "GET /api/prompts/[id]",
  async (request, ctx: Context) => {
    readQuery(request, {});
    const id = await readId(ctx);
    const db = appDb();
    const detail = getPromptDetail(db, id);
    if (!detail) throw new AppError("not_found", `prompt ${id} not found`);
    const body: PromptDetailWithHistoryJson = {
      prompt: promptJson(detail.prompt),
      writing: detail.writing ? writingJson(detail.writing) : null,
      artifacts: detail.artifacts.map(artifactJson),
      events: detail.events.map(eventJson),
      history: listPromptHistory(db, id).map((entry) => ({
        writing: writingJson(entry.writing),
        artifacts: entry.artifacts.map(artifactJson),
      })),
    };
    return json(body);
  },
);

const priorityMessage = "priority must be a whole number from -100 to 100";

const promptEditSchema = z
  .strictObject({
    text: promptTextSchema.optional(),
    type: promptTypeSchema.optional(),
    priority: z
      .number(priorityMessage)
      .int(priorityMessage)
      .min(-100, priorityMessage)
      .max(100, priorityMessage)
      .optional(),
  })
  .refine((edit) => Object.keys(edit).length > 0, {
    message: "send at least one of text, type and priority",
  });

/** Edits a waiting prompt: 409 when its state does not allow the change. */
export const PATCH = route(
  "PATCH /api/prompts/[id]",
  async (request, ctx: Context) => {
    readQuery(request, {});
    const id = await readId(ctx);
    const body = await readJsonBody(request);
    const edit = parseWith(promptEditSchema, body, "edit");
    return json({ prompt: promptJson(editPrompt(appDb(), id, edit)) });
  },
);
