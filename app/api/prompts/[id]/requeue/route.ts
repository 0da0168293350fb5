import { requeuePrompt } from "@/db/prompts";
import { appDb } from "../../../_lib/db";
import { otherMethods } from "../../../_lib/methods";
import { readId, readQuery } from "../../../_lib/params";
import { json, route } from "../../../_lib/respond";
import { promptJson } from "../../../_lib/serialize";

export const dynamic = "force-dynamic";

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");

type Context = { params: Promise<{ id: string }> };

export const POST = route(
  "POST /api/prompts/[id]/requeue",
  async (request, ctx: Context) => {
    readQuery(request, {});
    const id = await readId(ctx);
    return json({ prompt: promptJson(requeuePrompt(appDb(), id)) });
  },
);
