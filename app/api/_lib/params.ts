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

const limitMessage = "limit must be a whole number from 1 to 200";

// Plain digits only, like ids: Number() would also take 0x2, 1e1 and " 2".
export const limitSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,2}$/, limitMessage)
  .transform(Number)
  .refine((limit) => limit <= 200, limitMessage)
  .default(50);

/**
 * Parses the query string against `shape`; any other key is a 400, so a
 * mistyped parameter is not silently ignored. Repeated keys keep the last
 * value.
 */
export function readQuery<T extends z.ZodRawShape>(request: Request, shape: T) {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return parseWith(z.strictObject(shape), query, "query");
}
