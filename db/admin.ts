import { and, asc, eq, lt, or } from "drizzle-orm";
import type { Db } from "./client";
import { prompts, type Prompt } from "./schema";

export type StuckRule = "processing_too_long" | "media_waiting" | "failed";

export type StuckPrompt = { prompt: Prompt; rule: StuckRule };

export const stuckRuleText: Record<StuckRule, string> = {
  processing_too_long: "processing past the threshold or its lease expired",
  media_waiting: "media pending with no progress past the threshold",
  failed: "failed; can be requeued",
};

/**
 * Prompts that look stuck: processing for longer than the threshold (or with
 * an expired lease), media waiting with no change past it, and failures.
 */
export function listStuckPrompts(
  db: Db,
  options: { thresholdMs: number; now?: Date; limit?: number },
): StuckPrompt[] {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.thresholdMs);
  const rows = db
    .select()
    .from(prompts)
    .where(
      or(
        and(
          eq(prompts.status, "processing"),
          or(lt(prompts.updatedAt, cutoff), lt(prompts.leaseExpiresAt, now)),
        ),
        and(
          eq(prompts.status, "completed"),
          eq(prompts.artifactStatus, "pending"),
          lt(prompts.updatedAt, cutoff),
        ),
        eq(prompts.status, "failed"),
      ),
    )
    .orderBy(asc(prompts.updatedAt))
    .limit(options.limit ?? 200)
    .all();
  return rows.map((prompt) => ({ prompt, rule: ruleOf(prompt) }));
}

function ruleOf(prompt: Prompt): StuckRule {
  if (prompt.status === "failed") return "failed";
  if (prompt.status === "processing") return "processing_too_long";
  return "media_waiting";
}
