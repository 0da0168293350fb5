import { and, asc, eq, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { AppError } from "../lib/errors";
import { immediate, type Db } from "./client";
import { cancelPrompt, requeuePrompt } from "./prompts";
import { prompts, type Prompt } from "./schema";
import { stateKey, type StateKey } from "./transitions";

export type StuckRule =
  "processing_too_long" | "media_waiting" | "failed" | "waiting_for_backend";

export type StuckPrompt = {
  prompt: Prompt;
  rule: StuckRule;
  /** When its current wait for a backend began (waiting_for_backend only). */
  waitingSince: Date | null;
};

export const stuckRuleText: Record<StuckRule, string> = {
  processing_too_long: "processing with an expired lease or past the threshold",
  media_waiting: "media pending with no progress past the threshold",
  failed: "failed with attempts left",
  waiting_for_backend: "waiting for a backend for longer than the threshold",
};

export type StuckOptions = {
  thresholdMs: number;
  /** A failed prompt with this many attempts or more is not listed. */
  maxAttempts?: number;
  now?: Date;
  limit?: number;
};

/**
 * Prompts that look stuck, each under the first rule that catches it:
 * processing with an expired lease or for longer than the threshold, media
 * pending with no change past it, waiting for a backend since longer than
 * it, and failures with attempts left.
 */
export function listStuckPrompts(db: Db, options: StuckOptions): StuckPrompt[] {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.thresholdMs);
  const limit = options.limit ?? 200;
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
          isNull(prompts.waitingReason),
          lt(prompts.updatedAt, cutoff),
        ),
        and(
          eq(prompts.status, "failed"),
          options.maxAttempts === undefined
            ? undefined
            : lt(prompts.attempts, options.maxAttempts),
        ),
      ),
    )
    .orderBy(asc(prompts.updatedAt))
    .limit(limit)
    .all();
  const stuck = rows.map((prompt) => ({
    prompt,
    rule: ruleOf(prompt),
    waitingSince: null,
  }));
  return [...stuck, ...listLongWaits(db, cutoff, limit)];
}

function ruleOf(prompt: Prompt): StuckRule {
  if (prompt.status === "failed") return "failed";
  if (prompt.status === "processing") return "processing_too_long";
  return "media_waiting";
}

// A waiting prompt's updated_at moves on every retry (each try is claimed
// and put back), so its wait starts at the first "waiting for backend"
// event after the last event that is neither a wait nor a retry's claim.
// Both steps walk prompt_events_prompt from one end and stop at the first
// match; the candidates come from the partial index prompts_waiting.
export const waitStartSql = sql`(
  SELECT w.created_at FROM prompt_events w
  WHERE w.prompt_id = ${prompts.id} AND w.reason = 'waiting for backend'
    AND w.id > coalesce((
      SELECT b.id FROM prompt_events b
      WHERE b.prompt_id = ${prompts.id}
        AND b.reason NOT IN
          ('waiting for backend', 'writing started', 'rendering started')
      ORDER BY b.id DESC LIMIT 1
    ), 0)
  ORDER BY w.id LIMIT 1
)`;

/** Prompts whose current wait for a backend began before the cutoff. */
export function listLongWaits(
  db: Db,
  cutoff: Date,
  limit = 200,
): StuckPrompt[] {
  const rows = db
    .select({
      prompt: prompts,
      waitingSince: sql<number | null>`${waitStartSql}`,
    })
    .from(prompts)
    .where(isNotNull(prompts.waitingReason))
    .all();
  return rows
    .filter((row) => row.waitingSince !== null)
    .filter((row) => row.waitingSince! < cutoff.getTime())
    .sort((a, b) => a.waitingSince! - b.waitingSince!)
    .slice(0, limit)
    .map((row) => ({
      prompt: row.prompt,
      rule: "waiting_for_backend" as const,
      waitingSince: new Date(row.waitingSince!),
    }));
}

export type BulkAction = "requeue" | "retry" | "cancel";

export type BulkResult =
  | { id: number; ok: true; from: StateKey; to: StateKey; prompt: Prompt }
  | { id: number; ok: false; code: string; message: string };

const bulkActions: Record<
  BulkAction,
  (db: Db, id: number, now: Date) => Prompt
> = {
  requeue: requeuePrompt,
  retry: retryPrompt,
  cancel: cancelPrompt,
};

/** Gives a failed prompt another run of the stage that failed. */
function retryPrompt(db: Db, promptId: number, now: Date): Prompt {
  const current = db
    .select()
    .from(prompts)
    .where(eq(prompts.id, promptId))
    .get();
  if (current && current.status !== "failed") {
    throw new AppError(
      "conflict",
      `prompt ${promptId} is ${current.status}; only a failed prompt can be retried`,
    );
  }
  return requeuePrompt(db, promptId, now);
}

class PreviewRollback extends Error {}

/**
 * Applies one action to many prompts in ONE write transaction, with a
 * result per id: each prompt the action suits changes, each other one says
 * why not, and nothing else is touched. With `preview`, the same work runs
 * and is rolled back, so the preview is exactly what a run would do now.
 */
export function applyBulkAction(
  db: Db,
  request: { action: BulkAction; ids: number[]; preview: boolean },
  now = new Date(),
): BulkResult[] {
  const apply = bulkActions[request.action];
  let results: BulkResult[] = [];
  try {
    db.transaction(() => {
      results = request.ids.map((id) => applyOne(db, apply, id, now));
      if (request.preview) throw new PreviewRollback();
    }, immediate);
  } catch (error) {
    if (!(error instanceof PreviewRollback)) throw error;
  }
  return results;
}

function applyOne(
  db: Db,
  apply: (db: Db, id: number, now: Date) => Prompt,
  id: number,
  now: Date,
): BulkResult {
  const before = db.select().from(prompts).where(eq(prompts.id, id)).get();
  try {
    // Nested, this transaction is a savepoint: a refusal undoes only itself.
    const prompt = apply(db, id, now);
    return {
      id,
      ok: true,
      from: stateKey(before!),
      to: stateKey(prompt),
      prompt,
    };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { id, ok: false, code: error.code, message: error.message };
  }
}
