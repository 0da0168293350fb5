"use client";

import { useAnnouncement } from "@/lib/client/announcements";

/** Reads status changes to screen readers without moving focus. */
export function LiveAnnouncer() {
  const message = useAnnouncement();
  return (
    <div
      aria-live="polite"
      aria-atomic="true"
      role="status"
      className="sr-only"
      data-testid="status-announcer"
    >
      {message}
    </div>
  );
}
