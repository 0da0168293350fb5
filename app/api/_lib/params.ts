import { z } from "zod";
import { parseWith } from "./respond";

const idSchema = z.coerce
  .number({ error: "id must be a number" })
  .int("id must be a whole number")
  .positive("id must be positive")
  .max(Number.MAX_SAFE_INTEGER);

export async function readId(context: {
  params: Promise<{ id: string }>;
}): Promise<number> {
  const { id } = await context.params;
  return parseWith(idSchema, id, "id");
}

export const cursorSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, "cursor must come from nextCursor")
  .transform(Number)
  .optional();

export const limitSchema = z.coerce.number().int().min(1).max(200).default(50);

/** The query string as an object, repeated keys keeping the last value. */
export function searchParamsOf(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams);
}
