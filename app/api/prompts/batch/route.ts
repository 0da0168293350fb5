import { refusePriorityUnlessSignedIn } from "@/lib/auth-guard";
import { getConfig } from "@/lib/config";
import { z } from "zod";
import { createPromptBatch } from "@/db/queue-control";
import type { PromptBatchJson } from "@/lib/api-types";
import { AppError } from "@/lib/errors";
import { parseBatch, type BatchError } from "@/lib/prompt-batch";
import { promptTypeSchema } from "@/lib/prompt-types";
import { readJsonBody } from "../../_lib/body";
import { appDb } from "../../_lib/db";
import { otherMethods } from "../../_lib/methods";
import { readQuery } from "../../_lib/params";
import { json, parseWith, route } from "../../_lib/respond";
import { promptJson } from "../../_lib/serialize";

export const dynamic = "force-dynamic";

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");

const priority = z
  .number()
  .int("priority must be a whole number from -100 to 100")
  .min(-100, "priority must be a whole number from -100 to 100")
  .max(100, "priority must be a whole number from -100 to 100")
  .optional();

const linesSchema = z.strictObject({
  text: z.string(),
  type: promptTypeSchema,
  priority,
});

const csvSchema = z.strictObject({ csv: z.string(), priority });

/** How many line errors one answer lists. */
const maxIssues = 50;

/**
 * Adds a batch of prompts: every row is checked first, and a bad one
 * refuses the whole batch, naming its line; then all go in one transaction.
 */
export const POST = route("POST /api/prompts/batch", async (request) => {
  readQuery(request, {});
  const body = await readJsonBody(request);
  const input =
    typeof body === "object" && body !== null && "csv" in body
      ? parseWith(csvSchema, body, "batch")
      : parseWith(linesSchema, body, "batch");
  refusePriorityUnlessSignedIn(
    request,
    input.priority,
    getConfig().ADMIN_TOKEN,
    Date.now(),
  );
  const { rows, errors } = parseBatch(input);
  if (errors.length > 0) throw batchRefused(errors);

  const batch = rows.map(({ type, text }) => ({ type, text }));
  const prompts = createPromptBatch(appDb(), batch, {
    priority: input.priority,
  });
  const answer: PromptBatchJson = {
    count: prompts.length,
    prompts: prompts.map(promptJson),
  };
  return json(answer, 201);
});

function batchRefused(errors: BatchError[]): AppError {
  const sorted = [...errors].sort((a, b) => a.line - b.line);
  const [first] = sorted;
  const more =
    sorted.length > 1 ? `; ${moreLinesWithErrors(sorted.length - 1)}` : "";
  return new AppError(
    "validation_failed",
    `Invalid batch: line ${first.line}: ${first.message}${more}; ` +
      "nothing was added.",
    sorted
      .slice(0, maxIssues)
      .map((error) => ({ path: `line ${error.line}`, message: error.message })),
  );
}

/** "1 more line has errors", "2 more lines have errors". */
function moreLinesWithErrors(count: number): string {
  return count === 1
    ? "1 more line has errors"
    : `${count} more lines have errors`;
}
