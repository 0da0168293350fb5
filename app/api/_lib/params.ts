import { z } from "zod";
import { parseWith } from "./respond";

const idSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, "id must be a positive whole number")
  .transform(Number);

export async function readId(context: {
  params: Promise<{ id: string }>;
}): Promise<number> {
  const { id } = await context.params;
  return parseWith(z.object({ id: idSchema }), { id }, "id").id;
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
