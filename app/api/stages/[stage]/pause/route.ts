import { pauseStage } from "@/db/queue-control";
import { stageActionRoute } from "../../stage-route";

export const dynamic = "force-dynamic";

export const { POST, GET, HEAD, PUT, PATCH, DELETE, OPTIONS } =
  stageActionRoute("pause", pauseStage);
