import { useSyncExternalStore } from "react";

// A tiny store so that code outside React (the query cache's onError) can
// raise a toast that components/ui/toast.tsx renders.

export type Toast = {
  id: number;
  tone: "error" | "info";
  message: string;
};

const toastLifetimeMs = 6000;
const maxToasts = 4;

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function publish(next: Toast[]) {
  toasts = next;
  for (const listener of listeners) listener();
}

/** Shows a toast; the same message already on screen is not repeated. */
export function showToast(message: string, tone: Toast["tone"] = "error") {
  if (toasts.some((t) => t.message === message)) return;
  const toast = { id: nextId++, tone, message };
  publish([...toasts, toast].slice(-maxToasts));
  setTimeout(() => dismissToast(toast.id), toastLifetimeMs);
}

export function dismissToast(toastId: number) {
  if (toasts.some((t) => t.id === toastId)) {
    publish(toasts.filter((t) => t.id !== toastId));
  }
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const noToasts: Toast[] = [];

export function useToasts(): Toast[] {
  return useSyncExternalStore(
    subscribe,
    () => toasts,
    () => noToasts,
  );
}
