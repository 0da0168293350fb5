import { requeuePrompt } from "@/db/prompts";
import { appDb } from "../../../_lib/db";
import { readId } from "../../../_lib/params";
import { json, route } from "../../../_lib/respond";
import { promptJson } from "../../../_lib/serialize";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export const POST = route(
  "POST /api/prompts/[id]/requeue",
  async (_req, ctx: Context) => {
    const id = await readId(ctx);
    return json({ prompt: promptJson(requeuePrompt(appDb(), id)) });
  },
);
