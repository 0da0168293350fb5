// Display formatting shared by the views. Everything here runs in the
// browser only (data arrives after hydration), so the locale is the user's.

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    dateStyle: "medium",
    timeStyle: "medium",
  });
}

export function formatAge(iso: string, nowMs = Date.now()): string {
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  return `${Math.round(seconds / 60)} min`;
}

/** A duration in whole seconds or minutes: "45 s", "3 min". */
export function formatElapsed(ms: number): string {
  return formatDuration(Math.round(ms / 1000) * 1000);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const typeLabels: Record<string, string> = {
  poem: "Poem",
  story: "Story",
  haiku: "Haiku",
  image_prompt: "Image",
  lyrics_prompt: "Song lyrics",
};

/** A prompt type as people read it; unknown configured types pass through. */
export function typeLabel(type: string): string {
  return typeLabels[type] ?? type.replaceAll("_", " ");
}
