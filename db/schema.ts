import { sql } from "drizzle-orm";
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import {
  artifactKinds,
  artifactStatuses,
  promptTypes,
  statuses,
} from "../lib/prompt-types";

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const prompts = sqliteTable(
  "prompts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    type: text("type", { enum: promptTypes }).notNull(),
    text: text("text").notNull(),
    priority: integer("priority").notNull().default(0),
    status: text("status", { enum: statuses }).notNull().default("unprocessed"),
    artifactStatus: text("artifact_status", { enum: artifactStatuses }),
    outputReference: integer("output_reference"),
    lastError: text("last_error"),
    attempts: integer("attempts").notNull().default(0),
    seed: integer("seed").notNull(),
    progress: integer("progress"),
    leaseOwner: text("lease_owner"),
    leaseToken: text("lease_token"),
    leaseExpiresAt: integer("lease_expires_at", { mode: "timestamp_ms" }),
    runAfter: integer("run_after", { mode: "timestamp_ms" }),
    /** Why a prompt waits before its stage can run (a backend is down). */
    waitingReason: text("waiting_reason"),
    /**
     * Stage 2's job on a render server (ComfyUI's prompt_id, chosen by us)
     * and that server's base URL; recorded before the job is submitted, so
     * that a worker that takes the prompt over can adopt the job.
     */
    renderJobId: text("render_job_id"),
    renderServer: text("render_server"),
    lastEventId: integer("last_event_id").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("prompts_stage1_queue").on(t.status, t.priority, t.id),
    index("prompts_stage2_queue").on(t.artifactStatus, t.priority, t.id),
    index("prompts_type_id").on(t.type, t.id),
    // The gallery's newest-first pages of completed work.
    index("prompts_status_id").on(t.status, t.id),
    // The queue list filtered by media status, newest first.
    index("prompts_artifact_status_id").on(t.artifactStatus, t.id),
    index("prompts_lease_expiry").on(t.status, t.leaseExpiresAt),
    // Small: only prompts held back by a backend that is down.
    index("prompts_waiting")
      .on(t.waitingReason)
      .where(sql`${t.waitingReason} IS NOT NULL`),
  ],
);

export const promptEvents = sqliteTable(
  "prompt_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    promptId: integer("prompt_id")
      .notNull()
      .references(() => prompts.id, { onDelete: "cascade" }),
    fromStatus: text("from_status", { enum: statuses }),
    fromArtifactStatus: text("from_artifact_status", {
      enum: artifactStatuses,
    }),
    toStatus: text("to_status", { enum: statuses }).notNull(),
    toArtifactStatus: text("to_artifact_status", { enum: artifactStatuses }),
    reason: text("reason").notNull(),
    workerId: text("worker_id"),
    detail: text("detail"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("prompt_events_prompt").on(t.promptId, t.id)],
);

export const writings = sqliteTable(
  "writings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    promptId: integer("prompt_id")
      .notNull()
      .references(() => prompts.id, { onDelete: "cascade" }),
    format: text("format", { enum: ["text", "json"] }).notNull(),
    content: text("content").notNull(),
    backend: text("backend").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("writings_prompt").on(t.promptId)],
);

export const artifacts = sqliteTable(
  "artifacts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    promptId: integer("prompt_id")
      .notNull()
      .references(() => prompts.id, { onDelete: "cascade" }),
    writingId: integer("writing_id")
      .notNull()
      .references(() => writings.id),
    kind: text("kind", { enum: artifactKinds }).notNull(),
    mimeType: text("mime_type").notNull(),
    fileName: text("file_name").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    sha256: text("sha256").notNull(),
    width: integer("width"),
    height: integer("height"),
    durationMs: integer("duration_ms"),
    backend: text("backend").notNull(),
    /** The backend's own name for the file: shown, never used as a path. */
    sourceName: text("source_name"),
    createdAt: createdAt(),
  },
  (t) => [
    index("artifacts_prompt").on(t.promptId),
    uniqueIndex("artifacts_file_name").on(t.fileName),
  ],
);

export const workers = sqliteTable("workers", {
  id: text("id").primaryKey(),
  host: text("host").notNull(),
  pid: integer("pid").notNull(),
  version: text("version").notNull(),
  dbPath: text("db_path").notNull(),
  startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
  lastHeartbeatAt: integer("last_heartbeat_at", {
    mode: "timestamp_ms",
  }).notNull(),
  stoppedAt: integer("stopped_at", { mode: "timestamp_ms" }),
  currentPromptId: integer("current_prompt_id"),
});

/** Each render server's health, as the workers' probes last saw it. */
export const renderServers = sqliteTable("render_servers", {
  url: text("url").primaryKey(),
  healthy: integer("healthy", { mode: "boolean" }).notNull(),
  lastError: text("last_error"),
  version: text("version"),
  checkedAt: integer("checked_at", { mode: "timestamp_ms" }).notNull(),
  /** When the server last turned healthy or unhealthy. */
  changedAt: integer("changed_at", { mode: "timestamp_ms" }).notNull(),
  checkedBy: text("checked_by").notNull(),
  /**
   * What stops the server running our workflow templates, from its
   * /object_info; null until a check succeeds, [] when it can run them.
   */
  workflowProblems: text("workflow_problems", { mode: "json" }).$type<
    string[]
  >(),
});

/**
 * ComfyUI jobs Poets no longer wants (their prompt was cancelled, requeued,
 * or moved to another server) that may still run or wait there. A worker
 * that reaches the server stops each one and deletes its row.
 */
export const renderJobStops = sqliteTable(
  "render_job_stops",
  {
    server: text("server").notNull(),
    jobId: text("job_id").notNull(),
    promptId: integer("prompt_id").notNull(),
    reason: text("reason").notNull(),
    requestedAt: integer("requested_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.server, t.jobId] })],
);

/**
 * Settings people change while Poets runs, kept across restarts (a stage
 * paused, say): one JSON value per key, shared by the app and the workers.
 */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

export type Prompt = typeof prompts.$inferSelect;
export type NewPrompt = typeof prompts.$inferInsert;
export type PromptEvent = typeof promptEvents.$inferSelect;
export type Writing = typeof writings.$inferSelect;
export type Artifact = typeof artifacts.$inferSelect;
export type Worker = typeof workers.$inferSelect;
export type RenderServer = typeof renderServers.$inferSelect;
