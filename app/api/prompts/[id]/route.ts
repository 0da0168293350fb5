import { getPromptDetail } from "@/db/prompts";
import { AppError } from "@/lib/errors";
import { appDb } from "../../_lib/db";
import { otherMethods } from "../../_lib/methods";
import { readId, readQuery } from "../../_lib/params";
import { json, route } from "../../_lib/respond";
import {
  artifactJson,
  eventJson,
  promptJson,
  writingJson,
} from "../../_lib/serialize";

export const dynamic = "force-dynamic";

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");

type Context = { params: Promise<{ id: string }> };

export const GET = route(
  "GET /api/prompts/[id]",
  async (request, ctx: Context) => {
    readQuery(request, {});
    const id = await readId(ctx);
    const detail = getPromptDetail(appDb(), id);
    if (!detail) throw new AppError("not_found", `prompt ${id} not found`);
    return json({
      prompt: promptJson(detail.prompt),
      writing: detail.writing ? writingJson(detail.writing) : null,
      artifacts: detail.artifacts.map(artifactJson),
      events: detail.events.map(eventJson),
    });
  },
);
