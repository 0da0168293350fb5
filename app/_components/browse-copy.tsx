"use client";

import { Button } from "@/components/ui/button";
import { showToast } from "@/lib/client/toasts";

/** Puts `text` on the clipboard and says so, or says why it could not. */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const copy = async () => {
    try {
      await writeClipboard(text);
      // The toasts are a live region: this is read out as well.
      showToast(`Copied the ${what}.`, "info");
    } catch (error) {
      showToast(`Could not copy the ${what}: ${String(error)}`);
    }
  };
  return (
    <Button size="sm" variant="secondary" onClick={() => void copy()}>
      Copy {what}
    </Button>
  );
}

// The Clipboard API exists only in secure contexts; Poets is often opened
// over plain http on a home network, where the older command still works.
async function writeClipboard(text: string) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("the browser refused");
}
