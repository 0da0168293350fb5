"use client";

import { dismissToast, useToasts } from "@/lib/client/toasts";

/** Renders toasts raised anywhere through `showToast`. */
export function Toaster() {
  const toasts = useToasts();
  return (
    <div
      aria-live="polite"
      className="pointer-events-none fixed top-4 right-4 z-50 flex w-[min(24rem,calc(100vw-2rem))] flex-col gap-2"
    >
      {toasts.map((toast) => (
        <div
          key={toast.id}
          role={toast.tone === "error" ? "alert" : "status"}
          data-testid="toast"
          className={`pointer-events-auto flex items-start gap-3 rounded-lg border bg-white px-4 py-3 text-sm shadow-lg ${
            toast.tone === "error"
              ? "border-rose-200 text-rose-900"
              : "border-stone-200 text-stone-800"
          }`}
        >
          <p className="flex-1">{toast.message}</p>
          <button
            type="button"
            onClick={() => dismissToast(toast.id)}
            aria-label="Dismiss notification"
            className="rounded text-stone-500 hover:text-stone-800 focus-visible:outline-2 focus-visible:outline-teal-600"
          >
            <span aria-hidden="true">×</span>
          </button>
        </div>
      ))}
    </div>
  );
}
