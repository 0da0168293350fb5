import { useSyncExternalStore } from "react";

// What the polite live region says next. Only the latest message is kept: a
// burst of status changes should not queue a minute of speech.

let message = "";
const listeners = new Set<() => void>();

export function announce(text: string) {
  // A repeated text is not re-read unless the content changes, so alternate
  // a trailing non-breaking space.
  message = text === message.trimEnd() ? `${text}\u00a0` : text;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useAnnouncement(): string {
  return useSyncExternalStore(
    subscribe,
    () => message,
    () => "",
  );
}
