import type {
  Artifact,
  Prompt,
  PromptEvent,
  Worker,
  Writing,
} from "@/db/schema";
import type {
  ArtifactJson,
  PromptEventJson,
  PromptJson,
  WorkerJson,
  WorkerState,
  WritingJson,
} from "@/lib/api-types";
import { withoutCredentials } from "./backends";

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function promptJson(p: Prompt): PromptJson {
  return {
    id: p.id,
    type: p.type,
    text: p.text,
    priority: p.priority,
    status: p.status,
    artifactStatus: p.artifactStatus,
    lastError: p.lastError,
    attempts: p.attempts,
    progress: p.progress,
    outputReference: p.outputReference,
    lastEventId: p.lastEventId,
    leaseOwner: p.leaseOwner,
    leaseExpiresAt: iso(p.leaseExpiresAt),
    runAfter: iso(p.runAfter),
    waitingReason: p.waitingReason,
    renderServer: p.renderServer && withoutCredentials(p.renderServer),
    renderJobId: p.renderJobId,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function writingJson(w: Writing): WritingJson {
  return {
    id: w.id,
    format: w.format,
    content: w.content,
    backend: w.backend,
    createdAt: w.createdAt.toISOString(),
  };
}

export function artifactJson(a: Artifact): ArtifactJson {
  return {
    id: a.id,
    kind: a.kind,
    mimeType: a.mimeType,
    sizeBytes: a.sizeBytes,
    sha256: a.sha256,
    width: a.width,
    height: a.height,
    durationMs: a.durationMs,
    backend: a.backend,
    sourceName: a.sourceName,
    url: `/api/artifacts/${a.id}`,
    createdAt: a.createdAt.toISOString(),
  };
}

export function eventJson(e: PromptEvent): PromptEventJson {
  return {
    id: e.id,
    fromStatus: e.fromStatus,
    fromArtifactStatus: e.fromArtifactStatus,
    toStatus: e.toStatus,
    toArtifactStatus: e.toArtifactStatus,
    reason: e.reason,
    detail: e.detail,
    workerId: e.workerId,
    createdAt: e.createdAt.toISOString(),
  };
}

/**
 * A worker as the API shows it: stopped if it said so; dead if its process
 * is known to be gone (`processGone`, checked by the caller) or it has not
 * beaten for staleMs; alive otherwise.
 */
export function workerJson(
  w: Worker,
  staleMs: number,
  now = Date.now(),
  processGone = false,
) {
  const isGone = w.stoppedAt === null && processGone;
  const state: WorkerState =
    w.stoppedAt !== null
      ? "stopped"
      : !isGone && now - w.lastHeartbeatAt.getTime() <= staleMs
        ? "alive"
        : "dead";
  const json: WorkerJson = {
    id: w.id,
    host: w.host,
    pid: w.pid,
    version: w.version,
    dbPath: w.dbPath,
    startedAt: w.startedAt.toISOString(),
    lastHeartbeatAt: w.lastHeartbeatAt.toISOString(),
    stoppedAt: iso(w.stoppedAt),
    currentPromptId: w.currentPromptId,
    alive: state === "alive",
    state,
    processGone: isGone,
  };
  return json;
}
