import type { Db } from "@/db/client";
import type { Prompt } from "@/db/schema";
import { appDb } from "./db";
import { otherMethods } from "./methods";
import { readId, readQuery } from "./params";
import { json, route } from "./respond";
import { promptJson } from "./serialize";

type Context = { params: Promise<{ id: string }> };

/**
 * The handlers of `POST /api/prompts/[id]/<action>`: no body, no query;
 * answers with the prompt as the action left it.
 */
export function promptActionRoute(
  action: string,
  apply: (db: Db, promptId: number) => Prompt,
) {
  const POST = route(
    `POST /api/prompts/[id]/${action}`,
    async (request, ctx: Context) => {
      readQuery(request, {});
      const id = await readId(ctx);
      return json({ prompt: promptJson(apply(appDb(), id)) });
    },
  );
  return { ...otherMethods("POST"), POST };
}
