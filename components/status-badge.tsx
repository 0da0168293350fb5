import type { ArtifactStatus, Status } from "@/lib/prompt-types";
import { Badge, type BadgeTone } from "./ui/badge";

const statusTones: Record<Status, BadgeTone> = {
  unprocessed: "neutral",
  processing: "progress",
  completed: "success",
  failed: "danger",
  cancelled: "muted",
};

const artifactTones: Record<ArtifactStatus, BadgeTone> = {
  pending: "info",
  processing: "progress",
  ready: "success",
  failed: "danger",
};

/**
 * A test id for a badge: `status-12`, or with a prefix `detail-status-12`,
 * or none when another copy on screen owns the plain id.
 */
function testIdOf(prefix: string | null, name: string, promptId: number) {
  return prefix === null ? undefined : `${prefix}${name}-${promptId}`;
}

type StatusBadgeProps = {
  promptId: number;
  status: Status;
  testIdPrefix?: string | null;
};

/** The prompt's status; the badge's text is exactly the raw status. */
export function StatusBadge({
  promptId,
  status,
  testIdPrefix = "",
}: StatusBadgeProps) {
  return (
    <span className="inline-flex items-center">
      <span className="sr-only">Status: </span>
      <Badge
        tone={statusTones[status]}
        data-testid={testIdOf(testIdPrefix, "status", promptId)}
      >
        {status}
      </Badge>
    </span>
  );
}

type ArtifactBadgeProps = {
  promptId: number;
  artifactStatus: ArtifactStatus | null;
  testIdPrefix?: string | null;
};

/** The media stage's status; text prompts have none and show nothing. */
export function ArtifactStatusBadge({
  promptId,
  artifactStatus,
  testIdPrefix = "",
}: ArtifactBadgeProps) {
  if (artifactStatus === null) return null;
  return (
    <span className="inline-flex items-center gap-1">
      <span aria-hidden="true" className="text-xs text-stone-500">
        media
      </span>
      <span className="sr-only">Artifact status: </span>
      <Badge
        tone={artifactTones[artifactStatus]}
        data-testid={testIdOf(testIdPrefix, "artifact-status", promptId)}
      >
        {artifactStatus}
      </Badge>
    </span>
  );
}
