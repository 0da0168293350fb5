import type { Stage } from "@/db/claims";
import type { Db } from "@/db/client";
import { getStagePauses, stages } from "@/db/queue-control";
import type { StagePausesJson } from "@/lib/api-types";
import { AppError } from "@/lib/errors";
import { appDb } from "../_lib/db";
import { otherMethods } from "../_lib/methods";
import { readQuery } from "../_lib/params";
import { json, route } from "../_lib/respond";

type Context = { params: Promise<{ stage: string }> };

/** Which stages are paused, as stats and the pause routes answer it. */
export function stagePausesJson(db: Db): StagePausesJson {
  const pauses = getStagePauses(db);
  return {
    paused: { write: pauses.write.paused, render: pauses.render.paused },
    pausedSince: {
      write: pauses.write.since?.toISOString() ?? null,
      render: pauses.render.since?.toISOString() ?? null,
    },
  };
}

/**
 * The handlers of `POST /api/stages/[stage]/<action>`: no body, no query;
 * answers with every stage's pause as the action left it.
 */
export function stageActionRoute(
  action: "pause" | "resume",
  apply: (db: Db, stage: Stage) => unknown,
) {
  const POST = route(
    `POST /api/stages/[stage]/${action}`,
    async (request, ctx: Context) => {
      readQuery(request, {});
      const stage = readStage((await ctx.params).stage);
      const db = appDb();
      apply(db, stage);
      return json(stagePausesJson(db));
    },
  );
  return { ...otherMethods("POST"), POST };
}

function readStage(name: string): Stage {
  const stage = stages.find((known) => known === name);
  if (!stage) {
    throw new AppError(
      "not_found",
      `There is no stage "${name}"; the stages are ${stages.join(" and ")}.`,
    );
  }
  return stage;
}
