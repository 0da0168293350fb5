import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./client";
import { prompts, renderServers, type RenderServer } from "./schema";

export type ServerCheck = {
  url: string;
  healthy: boolean;
  lastError: string | null;
  version: string | null;
  checkedBy: string;
  checkedAt?: Date;
  /** Left as it was when undefined; see recordWorkflowProblems. */
  workflowProblems?: string[] | null;
};

/**
 * Records one probe of a render server; `changedAt` moves only when the
 * server turns healthy or unhealthy.
 */
export function recordServerCheck(db: Db, check: ServerCheck): void {
  const checkedAt = check.checkedAt ?? new Date();
  const row = { ...check, checkedAt };
  db.insert(renderServers)
    .values({ ...row, changedAt: checkedAt })
    .onConflictDoUpdate({
      target: renderServers.url,
      set: {
        ...row,
        changedAt: sqlChangedAt(check.healthy, checkedAt),
      },
    })
    .run();
}

/**
 * Records what a check of the server's /object_info found wrong with our
 * workflow templates: [] when nothing, null when it could not be checked.
 */
export function recordWorkflowProblems(
  db: Db,
  url: string,
  problems: string[] | null,
): void {
  db.update(renderServers)
    .set({ workflowProblems: problems })
    .where(eq(renderServers.url, url))
    .run();
}

function sqlChangedAt(healthy: boolean, at: Date) {
  // Keeps the old time while health stays the same.
  return sql`CASE WHEN ${renderServers.healthy} = ${healthy ? 1 : 0}
    THEN ${renderServers.changedAt} ELSE ${at.getTime()} END`;
}

export type RenderServerState = RenderServer & {
  /** The prompts whose stage 2 runs on this server now. */
  rendering: { promptId: number; jobId: string | null }[];
};

/** The named servers' last checks (null when never checked) and work. */
export function listRenderServers(
  db: Db,
  urls: readonly string[],
): { url: string; state: RenderServerState | null }[] {
  if (urls.length === 0) return [];
  return db.transaction((tx) => {
    const checks = tx
      .select()
      .from(renderServers)
      .where(inArray(renderServers.url, [...urls]))
      .all();
    const running = tx
      .select({
        promptId: prompts.id,
        jobId: prompts.renderJobId,
        server: prompts.renderServer,
      })
      .from(prompts)
      .where(
        and(
          eq(prompts.artifactStatus, "processing"),
          inArray(prompts.renderServer, [...urls]),
        ),
      )
      .orderBy(asc(prompts.id))
      .all();
    return urls.map((url) => {
      const check = checks.find((row) => row.url === url);
      const rendering = running
        .filter((row) => row.server === url)
        .map(({ promptId, jobId }) => ({ promptId, jobId }));
      return { url, state: check ? { ...check, rendering } : null };
    });
  });
}
