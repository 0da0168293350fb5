import { rewritePrompt } from "@/db/queue-control";
import { promptActionRoute } from "../../../_lib/prompt-action";

export const dynamic = "force-dynamic";

export const { POST, GET, HEAD, PUT, PATCH, DELETE, OPTIONS } =
  promptActionRoute("rewrite", rewritePrompt);
