import type { PromptJson } from "@/lib/api-types";
import { formatTime } from "./format";

/**
 * Why a queued prompt is not running yet: its backend is unreachable, or a
 * retry is scheduled. Nothing for a prompt that is free to run.
 */
export function waitingNote(prompt: PromptJson): string | null {
  if (prompt.status === "processing" || !prompt.runAfter) return null;
  const isQueued =
    prompt.status === "unprocessed" ||
    (prompt.status === "completed" && prompt.artifactStatus === "pending");
  if (!isQueued) return null;
  const at = formatTime(prompt.runAfter);
  if (prompt.waitingReason) {
    return `Waiting: ${prompt.waitingReason}; trying again at ${at}`;
  }
  return `Retry ${prompt.attempts + 1} scheduled at ${at}`;
}

export function PromptWaiting({
  prompt,
  className = "",
}: {
  prompt: PromptJson;
  className?: string;
}) {
  const note = waitingNote(prompt);
  if (!note) return null;
  return (
    <span
      data-testid={`waiting-${prompt.id}`}
      dir="auto"
      className={`text-xs wrap-anywhere text-amber-800 [unicode-bidi:isolate] ${className}`}
    >
      {note}
    </span>
  );
}
