// JSON shapes of the HTTP API, shared by the route handlers and the browser.
// Times are ISO 8601 strings.
import type {
  ArtifactKind,
  ArtifactStatus,
  PromptType,
  Status,
} from "./prompt-types";
import type { WorkerEntry } from "./run-registry";

export type PromptJson = {
  id: number;
  type: PromptType;
  text: string;
  priority: number;
  status: Status;
  artifactStatus: ArtifactStatus | null;
  lastError: string | null;
  attempts: number;
  progress: number | null;
  outputReference: number | null;
  /** Id of the event that set the current state; grows with every change. */
  lastEventId: number;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  runAfter: string | null;
  /** Why the prompt waits to run (its backend is down); null otherwise. */
  waitingReason: string | null;
  /** Stage 2's render server (a ComfyUI base URL) and its job id there. */
  renderServer: string | null;
  renderJobId: string | null;
  createdAt: string;
  updatedAt: string;
};

export type WritingJson = {
  id: number;
  format: "text" | "json";
  content: string;
  backend: string;
  createdAt: string;
};

export type ArtifactJson = {
  id: number;
  kind: ArtifactKind;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  backend: string;
  /** The backend's own file name, for people; never a path. */
  sourceName: string | null;
  url: string;
  createdAt: string;
};

export type PromptEventJson = {
  id: number;
  fromStatus: Status | null;
  fromArtifactStatus: ArtifactStatus | null;
  toStatus: Status;
  toArtifactStatus: ArtifactStatus | null;
  reason: string;
  detail: string | null;
  workerId: string | null;
  createdAt: string;
};

export type PromptDetailJson = {
  prompt: PromptJson;
  writing: WritingJson | null;
  artifacts: ArtifactJson[];
  events: PromptEventJson[];
};

export type PromptPageJson = {
  items: PromptJson[];
  nextCursor: string | null;
};

export type GalleryItemJson = {
  prompt: PromptJson;
  writing: WritingJson | null;
  artifacts: ArtifactJson[];
};

export type GalleryPageJson = {
  items: GalleryItemJson[];
  nextCursor: string | null;
};

export type WorkerJson = {
  id: string;
  host: string;
  pid: number;
  version: string;
  dbPath: string;
  startedAt: string;
  lastHeartbeatAt: string;
  stoppedAt: string | null;
  currentPromptId: number | null;
  alive: boolean;
  /**
   * dead: its process is gone (checked on the app's host) or no heartbeat
   * for WORKER_STALE_MS, and it never said it stopped.
   */
  state: WorkerState;
  /** On the app's host, its pid no longer exists: dead whatever its heartbeat. */
  processGone: boolean;
};

export type WorkerState = "alive" | "dead" | "stopped";

export type StatsJson = {
  total: number;
  byStatus: Partial<Record<Status, number>>;
  byArtifactStatus: Partial<Record<ArtifactStatus, number>>;
  byType: Partial<Record<PromptType, number>>;
  worker: WorkerJson | null;
  /** Prompts finished (text written or media ready) in the last hour. */
  completedLastHour: number;
  /** Median run of each stage over its latest finished runs. */
  stageDurations: Record<"write" | "render", StageDurationJson>;
  /** Workers alive: a heartbeat within WORKER_STALE_MS and a process. */
  workersAlive: number;
  /** Whether the deployment and its backends are healthy, and if not why. */
  health: { ok: boolean; reasons: string[] };
} & StagePausesJson;

export type StageDurationJson = { medianMs: number | null; samples: number };

export type HealthJson = {
  ok: boolean;
  reasons: string[];
  /** Open event streams in this app process, and whether it is watching. */
  stream: { clients: number; watching: boolean };
  db: {
    path: string;
    journalMode: string;
    walBytes: number;
    /** The last checkpoint the app process completed, or null. */
    lastCheckpointAt: string | null;
  };
  worker: {
    id: string;
    lastHeartbeatAt: string;
    dbPath: string;
    alive: boolean;
    processGone: boolean;
  } | null;
  /** Every worker seen in the last day (at least the last one seen). */
  workers: WorkerJson[];
  /** Live workers, seen through RUN_DIR, that write to another database file. */
  otherFileWorkers: WorkerEntry[];
  backends: BackendsJson;
};

/** One ComfyUI server as the workers' probes last saw it. */
export type RenderServerJson = {
  url: string;
  /** unknown: no worker has checked it lately (or ever). */
  health: "healthy" | "unhealthy" | "unknown";
  lastError: string | null;
  /**
   * Why it cannot run our workflow templates (a missing node class or
   * checkpoint), from its /object_info; null when not checked.
   */
  workflowProblems: string[] | null;
  version: string | null;
  checkedAt: string | null;
  /** When it last turned healthy or unhealthy. */
  changedAt: string | null;
  /** How many jobs it takes at once. */
  capacity: number;
  rendering: { promptId: number; jobId: string | null }[];
};

/** Which backends the stages use, as this app's configuration names them. */
export type BackendsJson = {
  writer: { kind: "builtin" } | { kind: "llm"; baseUrl: string; model: string };
  renderer:
    { kind: "builtin" } | { kind: "comfyui"; servers: RenderServerJson[] };
};

export type StuckRuleJson =
  "processing_too_long" | "media_waiting" | "failed" | "waiting_for_backend";

export type StuckPageJson = {
  thresholdMs: number;
  rules: Record<StuckRuleJson, string>;
  /** Each rule's threshold in words, such as "5 min" or "attempts < 5". */
  thresholds: Record<StuckRuleJson, string>;
  items: {
    prompt: PromptJson;
    rule: StuckRuleJson;
    /** When the current wait for a backend began (that rule only). */
    waitingSince?: string | null;
  }[];
};

export type BulkActionJson = "requeue" | "retry" | "cancel";

/** One prompt's outcome in POST /api/admin/bulk: what it became, or why not. */
export type BulkResultJson =
  | { id: number; ok: true; from: string; to: string; prompt: PromptJson }
  | { id: number; ok: false; code: string; message: string };

export type BulkResponseJson = {
  action: BulkActionJson;
  preview: boolean;
  results: BulkResultJson[];
};

/** The data of one `event: prompt` message on /api/events. */
export type PromptEventMessage = {
  /** The prompt's id. */
  id: number;
  eventId: number;
  type: PromptType;
  status: Status;
  artifactStatus: ArtifactStatus | null;
  /**
   * The state before the event (null for `submitted`). The same as the new
   * one for an edit, a priority change or a move to the top.
   */
  fromStatus: Status | null;
  fromArtifactStatus: ArtifactStatus | null;
  reason: string;
  updatedAt: string;
};

/**
 * Stage 2's percent complete, sent on the stream as `event: progress` (no
 * id: it is not replayed; a list or detail fetch carries it too).
 */
export type ProgressMessage = {
  /** The prompt's id. */
  id: number;
  progress: number;
  /** The version of the prompt this progress belongs to. */
  lastEventId: number;
};

export type ApiErrorBody = {
  error: {
    code: string;
    message: string;
    issues?: { path: string; message: string }[];
  };
};

/** The stages people can pause: stage 1 writes, stage 2 renders. */
export type StageName = "write" | "render";

/**
 * Which stages are paused (no new claims; running ones finish) and since
 * when; in GET /api/stats and the answer of a pause or resume.
 */
export type StagePausesJson = {
  paused: Record<StageName, boolean>;
  pausedSince: Record<StageName, string | null>;
};

/**
 * Sent on the stream as `event: stages` when a stage is paused or resumed
 * (no id: a reconnecting client refetches the stats, which carry it too).
 */
export type StagesMessage = StagePausesJson;

/** An earlier output of a prompt, left by a re-write or re-render. */
export type PromptHistoryEntryJson = {
  writing: WritingJson;
  artifacts: ArtifactJson[];
};

/** GET /api/prompts/{id} also carries the prompt's earlier outputs. */
export type PromptDetailWithHistoryJson = PromptDetailJson & {
  history: PromptHistoryEntryJson[];
};

export type PromptBatchJson = { count: number; prompts: PromptJson[] };
