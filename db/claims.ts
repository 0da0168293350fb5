import { randomUUID } from "node:crypto";
import { and, eq, isNotNull, isNull, lt, sql } from "drizzle-orm";
import { immediate, type Db } from "./client";
import { artifacts, prompts, writings, type Prompt } from "./schema";
import {
  applyTransition,
  applyTransitionTo,
  assertTransition,
  getPromptOrThrow,
  type PromptState,
  type TransitionRequest,
  type Writer,
} from "./transitions";
import { AppError } from "../lib/errors";
import { releasedLease } from "./prompts";
import { requestJobStop } from "./render-job-stops";
import { isStagePaused } from "./queue-control";
import { findReady } from "./ready-queue";
import { prepared } from "./statements";
import type { ArtifactKind } from "../lib/prompt-types";

export type Stage = "write" | "render";

export type Claim = {
  prompt: Prompt;
  stage: Stage;
  leaseToken: string;
  workerId: string;
};

export const stageStart: Record<Stage, PromptState> = {
  write: { status: "unprocessed", artifactStatus: null },
  render: { status: "completed", artifactStatus: "pending" },
};

const stageRunning: Record<Stage, PromptState> = {
  write: { status: "processing", artifactStatus: null },
  render: { status: "processing", artifactStatus: "processing" },
};

export const stageFailed: Record<Stage, PromptState> = {
  write: { status: "failed", artifactStatus: null },
  render: { status: "failed", artifactStatus: "failed" },
};

/** Rendering first, so that stage 2 follows stage 1 at once. */
export const stagesInClaimOrder: readonly Stage[] = ["render", "write"];

/** A render server the worker may send stage 2 to. */
export type RenderServerChoice = {
  url: string;
  /** How many jobs it takes at once, across every worker. */
  capacity: number;
  healthy: boolean;
};

export type ClaimOptions = {
  workerId: string;
  leaseMs: number;
  /**
   * With render servers, a render claim also picks the server for its job
   * and records the job's id: the healthy server with the most room (every
   * server when none is healthy, so the wait shows why), or none and no
   * render claim when all are full.
   */
  renderServers?: readonly RenderServerChoice[];
  /** Claim only this stage; by default either, rendering first. */
  stage?: Stage;
  /** A prompt whose lease expires on its last attempt fails instead. */
  maxAttempts?: number;
  now?: Date;
};

/**
 * Claims the next ready prompt in one short write transaction: rendering
 * first (so stage 2 follows stage 1 at once), then writing, each by
 * priority and then age, skipping a paused stage. Returns null when nothing
 * is ready.
 */
export function claimNextPrompt(db: Db, options: ClaimOptions): Claim | null {
  return claimPrompts(db, { ...options, limit: 1 })[0] ?? null;
}

/**
 * Claims up to `limit` ready prompts of one stage in one short write
 * transaction, in the order claimNextPrompt would take them one by one,
 * each with its own lease and event. A render claim that picks a server
 * takes one prompt, so that each job goes to the server with most room.
 */
export function claimPrompts(
  db: Db,
  options: ClaimOptions & { limit: number },
): Claim[] {
  const now = options.now ?? new Date();
  const stages = options.stage ? [options.stage] : stagesInClaimOrder;
  return db.transaction((tx) => {
    takeBackExpiredLeases(tx, now, options.maxAttempts ?? Infinity);
    for (const stage of stages) {
      // Read under the write lock: a pause committed before this claim
      // began is always honoured.
      if (isStagePaused(tx, stage)) continue;
      const servers =
        stage === "render" && options.renderServers
          ? serversWithRoom(tx, options.renderServers)
          : null;
      if (servers?.length === 0) continue;
      // With every server down, only a prompt not yet waiting is claimed,
      // to learn and show why; one already waiting stays put until a
      // server answers, rather than add two events per retry to its
      // timeline for the whole outage.
      const allDown =
        servers !== null &&
        !options.renderServers!.some((server) => server.healthy);
      const limit = servers ? 1 : options.limit;
      const candidates = findReady(tx, stage, { allDown, now, limit });
      if (candidates.length === 0) continue;

      return candidates.map((candidate) => {
        const job = servers
          ? chooseRenderJob(tx, candidate.id, servers, now)
          : {};
        return startStage(tx, { ...options, stage, candidate, job, now });
      });
    }
    return [];
  }, immediate);
}

/** Moves one candidate to its stage's running state under a new lease. */
function startStage(
  tx: Writer,
  claim: ClaimOptions & {
    stage: Stage;
    candidate: Prompt;
    job: { renderJobId?: string; renderServer?: string };
    now: Date;
  },
): Claim {
  const { stage, candidate, now, workerId } = claim;
  const leaseToken = randomUUID();
  const { prompt } = applyTransitionTo(tx, candidate, {
    promptId: candidate.id,
    to: stageRunning[stage],
    reason: stage === "write" ? "writing started" : "rendering started",
    workerId,
    patch: {
      leaseOwner: workerId,
      leaseToken,
      leaseExpiresAt: new Date(now.getTime() + claim.leaseMs),
      // Read under the write lock in this transaction: the same as +1 in SQL.
      attempts: candidate.attempts + 1,
      waitingReason: null,
      progress: stage === "render" ? 0 : null,
      ...claim.job,
    },
    now,
  });
  return { prompt, stage, leaseToken, workerId };
}

/** Whether a prompt at the start of the stage waits for its backend. */
export function hasWaitingPrompt(db: Db, stage: Stage): boolean {
  const start = stageStart[stage];
  const row = db
    .select({ id: prompts.id })
    .from(prompts)
    .where(
      and(
        eq(prompts.status, start.status),
        start.artifactStatus
          ? eq(prompts.artifactStatus, start.artifactStatus)
          : isNull(prompts.artifactStatus),
        isNotNull(prompts.waitingReason),
      ),
    )
    .limit(1)
    .get();
  return row !== undefined;
}

/**
 * The servers a render claim may use, most room first: the healthy ones
 * (all of them when none is), less those already running `capacity` jobs.
 */
function serversWithRoom(
  tx: Writer,
  choices: readonly RenderServerChoice[],
): string[] {
  const running = new Map(
    tx
      .select({ url: prompts.renderServer, count: sql<number>`count(*)` })
      .from(prompts)
      .where(eq(prompts.artifactStatus, "processing"))
      .groupBy(prompts.renderServer)
      .all()
      .map((row) => [row.url, row.count]),
  );
  const healthy = choices.filter((server) => server.healthy);
  const room = (server: RenderServerChoice) =>
    server.capacity - (running.get(server.url) ?? 0);
  return (healthy.length > 0 ? healthy : choices)
    .filter((server) => room(server) > 0)
    .sort((a, b) => room(b) - room(a))
    .map((server) => server.url);
}

/**
 * Keeps the job a prompt already has on a server still in use (the worker
 * adopts it if the server still knows it); otherwise a new job id on the
 * server with the most room.
 */
function chooseRenderJob(
  tx: Writer,
  promptId: number,
  servers: string[],
  now: Date,
) {
  const current = tx
    .select({
      id: prompts.id,
      renderJobId: prompts.renderJobId,
      renderServer: prompts.renderServer,
    })
    .from(prompts)
    .where(eq(prompts.id, promptId))
    .get();
  const { renderJobId, renderServer } = current ?? {};
  if (renderJobId && renderServer && servers.includes(renderServer)) {
    return { renderJobId, renderServer };
  }
  // The old job's server is down or full: should it come back with the job
  // still queued, the job is stopped there rather than run twice.
  if (current) requestJobStop(tx, current, "moved to another server", now);
  return { renderJobId: randomUUID(), renderServer: servers[0] };
}

/**
 * Gives a render claim a new job id, under its lease, before the job is
 * submitted: the old job ended or its server forgot it. Returns the id, or
 * null when the lease is gone.
 */
export function renewRenderJob(db: Db, claim: Claim): string | null {
  const jobId = randomUUID();
  const result = db
    .update(prompts)
    .set({ renderJobId: jobId })
    .where(
      and(
        eq(prompts.id, claim.prompt.id),
        eq(prompts.leaseToken, claim.leaseToken),
      ),
    )
    .run();
  return result.changes === 1 ? jobId : null;
}

/** How many expired leases one claim takes back, to keep claims short. */
const maxTakenBackPerClaim = 20;

/**
 * Returns prompts whose worker stopped renewing its lease (it crashed or
 * hangs) to the start of their stage, the attempt counted; a prompt on its
 * last attempt fails, so one that kills its worker every time cannot loop.
 */
function takeBackExpiredLeases(tx: Writer, now: Date, maxAttempts: number) {
  const expired = prepared(tx, "expired leases", () =>
    tx
      .select({
        id: prompts.id,
        artifactStatus: prompts.artifactStatus,
        attempts: prompts.attempts,
        renderJobId: prompts.renderJobId,
        renderServer: prompts.renderServer,
      })
      .from(prompts)
      .where(
        and(
          eq(prompts.status, "processing"),
          lt(prompts.leaseExpiresAt, sql.placeholder("now")),
        ),
      )
      .limit(maxTakenBackPerClaim)
      .prepare(),
  ).all({ now: now.getTime() });
  for (const prompt of expired) {
    const stage: Stage = prompt.artifactStatus ? "render" : "write";
    if (prompt.attempts >= maxAttempts) {
      // No successor will adopt its job: stop it on ComfyUI.
      requestJobStop(tx, prompt, "failed", now);
      failExpiredLease(tx, prompt.id, stage, prompt.attempts, now);
      continue;
    }
    applyTransition(tx, {
      promptId: prompt.id,
      to: stageStart[stage],
      reason: "lease expired",
      detail: "its worker stopped renewing the lease; returned to the queue",
      patch: releasedLease({ progress: null }),
      now,
    });
  }
}

function failExpiredLease(
  tx: Writer,
  promptId: number,
  stage: Stage,
  attempts: number,
  now: Date,
) {
  const lastError =
    `transient: its worker stopped renewing the lease on each of ` +
    `${attempts} attempts (it crashed or hung)`;
  applyTransition(tx, {
    promptId,
    to: stageFailed[stage],
    reason: "lease expired",
    detail: lastError,
    patch: releasedLease({ progress: null, lastError }),
    now,
  });
}

export type WritingOutput = {
  format: "text" | "json";
  content: string;
  backend: string;
};

/**
 * Records stage 1's writing and the status that announces it in one
 * transaction, if the claim still holds its lease.
 */
export function recordWriting(
  db: Db,
  claim: Claim,
  output: WritingOutput,
  now = new Date(),
): Prompt {
  const [result] = recordWritings(db, [{ claim, output }], now);
  if ("error" in result) throw result.error;
  return result.prompt;
}

export type WritingRecord = { claim: Claim; output: WritingOutput };

/** Per writing, its prompt, or the error that left that one unrecorded. */
export type WritingRecordResult = { prompt: Prompt } | { error: unknown };

/**
 * Records several finished writings in one transaction (one commit for
 * all), each as recordWriting would: a claim whose change is refused (its
 * lease lost) gets its error and writes nothing, the others commit. Every
 * check runs before that writing's rows are written, so no savepoint is
 * needed. Any other error fails the whole transaction and throws.
 */
export function recordWritings(
  db: Db,
  records: readonly WritingRecord[],
  now = new Date(),
): WritingRecordResult[] {
  return db.transaction((tx) => {
    const results = records.map(({ claim, output }) => {
      let current: Prompt;
      const request = writingTransition(claim, output, now);
      try {
        current = getPromptOrThrow(tx, claim.prompt.id);
        assertTransition(current, request);
      } catch (error) {
        if (error instanceof AppError) return { error };
        throw error;
      }
      return { prompt: writeWritingIn(tx, current, request, output) };
    });
    pointAtWritings(tx, results);
    return results;
  }, immediate);
}

/** The change that records a writing; outputReference is set after. */
function writingTransition(
  claim: Claim,
  output: WritingOutput,
  now: Date,
): TransitionRequest {
  const isMedia = output.format === "json";
  return {
    promptId: claim.prompt.id,
    to: {
      status: "completed",
      artifactStatus: isMedia ? "pending" : null,
    },
    reason: isMedia ? "spec written" : "writing finished",
    leaseToken: claim.leaseToken,
    workerId: claim.workerId,
    patch: releasedLease({ attempts: 0, lastError: null, runAfter: null }),
    now,
  };
}

/**
 * Inserts the writing and moves the checked prompt to completed; the
 * returned prompt already names its writing, which pointAtWritings records.
 */
function writeWritingIn(
  tx: Writer,
  current: Prompt,
  request: TransitionRequest,
  output: WritingOutput,
): Prompt {
  const writing = prepared(tx, "insert writing", () =>
    tx
      .insert(writings)
      .values({
        promptId: sql.placeholder("promptId"),
        format: sql.placeholder("format"),
        content: sql.placeholder("content"),
        backend: sql.placeholder("backend"),
        createdAt: sql.placeholder("createdAt"),
      } as unknown as typeof writings.$inferInsert)
      .returning({ id: writings.id })
      .prepare(),
  ).get({ promptId: current.id, ...output, createdAt: request.now })!;
  const { prompt } = applyTransitionTo(tx, current, request);
  return { ...prompt, outputReference: writing.id };
}

/**
 * Points each recorded prompt at its new writing, all in one statement.
 * The search index's trigger runs on this column; SQLite's full-text index
 * writes what it has pending at the start of every statement that may
 * change it, so one statement per batch writes one index segment, where a
 * statement per prompt would write one each (several times slower).
 */
function pointAtWritings(tx: Writer, results: WritingRecordResult[]) {
  const pairs = results.flatMap((result) =>
    "prompt" in result
      ? [[result.prompt.id, result.prompt.outputReference]]
      : [],
  );
  if (pairs.length === 0) return;
  tx.run(sql`
    UPDATE ${prompts} SET output_reference = j.value ->> '$[1]'
    FROM json_each(${JSON.stringify(pairs)}) j
    WHERE ${prompts.id} = j.value ->> '$[0]'`);
}

export type ArtifactOutput = {
  kind: ArtifactKind;
  mimeType: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  width?: number | null;
  height?: number | null;
  durationMs?: number | null;
  backend: string;
  sourceName?: string | null;
};

/** Records stage 2's files and marks the prompt ready, in one transaction. */
export function recordArtifacts(
  db: Db,
  claim: Claim,
  outputs: ArtifactOutput[],
  now = new Date(),
): Prompt {
  return db.transaction((tx) => {
    const writingId = claim.prompt.outputReference;
    if (writingId === null) throw new Error("render claim has no writing");
    for (const output of outputs) {
      tx.insert(artifacts)
        .values({
          promptId: claim.prompt.id,
          writingId,
          ...output,
          createdAt: now,
        })
        .run();
    }
    return applyTransition(tx, {
      promptId: claim.prompt.id,
      to: { status: "completed", artifactStatus: "ready" },
      reason: "rendering finished",
      leaseToken: claim.leaseToken,
      workerId: claim.workerId,
      patch: releasedLease({ progress: 100, lastError: null, runAfter: null }),
      now,
    }).prompt;
  }, immediate);
}

// reportProgress and extendLease are one UPDATE each, outside any
// transaction: SQLite takes the write lock when such a statement starts, so
// they wait on the busy timeout like BEGIN IMMEDIATE and never hit a stale
// snapshot. A read-then-write needs db.transaction(..., immediate).

/** Reports stage 2 progress (0–100) while the lease is still ours. */
export function reportProgress(db: Db, claim: Claim, percent: number): boolean {
  const result = db
    .update(prompts)
    .set({ progress: Math.max(0, Math.min(100, Math.round(percent))) })
    .where(
      and(
        eq(prompts.id, claim.prompt.id),
        eq(prompts.leaseToken, claim.leaseToken),
      ),
    )
    .run();
  return result.changes === 1;
}

/** Pushes the lease's expiry forward; false when the lease is gone. */
export function extendLease(
  db: Db,
  claim: Claim,
  leaseMs: number,
  now = new Date(),
): boolean {
  const result = db
    .update(prompts)
    .set({ leaseExpiresAt: new Date(now.getTime() + leaseMs) })
    .where(
      and(
        eq(prompts.id, claim.prompt.id),
        eq(prompts.leaseToken, claim.leaseToken),
      ),
    )
    .run();
  return result.changes === 1;
}

/** The writing a render claim renders from. */
export function getClaimWriting(db: Db, claim: Claim) {
  if (claim.prompt.outputReference === null) return null;
  return (
    db
      .select()
      .from(writings)
      .where(eq(writings.id, claim.prompt.outputReference))
      .get() ?? null
  );
}
