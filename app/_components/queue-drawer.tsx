"use client";

import { useId, type RefObject } from "react";
import { typeLabel } from "@/components/format";
import { PromptDetail } from "@/components/prompt-detail";
import { Button } from "@/components/ui/button";
import { usePromptDetail } from "@/lib/client/prompts";

type QueueDrawerProps = {
  promptId: number;
  onClose: () => void;
  /** Takes focus when the drawer opens (see the queue dialog). */
  headingRef: RefObject<HTMLHeadingElement | null>;
};

/**
 * One prompt's detail, beside the queue list on a wide screen and over it
 * on a narrow one, with its own heading and scroll.
 */
export function QueueDrawer({
  promptId,
  onClose,
  headingRef,
}: QueueDrawerProps) {
  const headingId = useId();
  const type = usePromptDetail(promptId).data?.prompt.type;
  return (
    <section
      aria-labelledby={headingId}
      data-testid="prompt-drawer"
      className="flex min-h-0 min-w-0 flex-1 flex-col lg:border-l lg:border-stone-200"
    >
      <header className="flex items-center gap-3 border-b border-stone-200 px-5 py-2">
        <Button size="sm" onClick={onClose} className="lg:hidden">
          ← Back to queue
        </Button>
        <h3
          ref={headingRef}
          id={headingId}
          tabIndex={-1}
          data-autofocus
          data-testid="prompt-drawer-heading"
          className="min-w-0 flex-1 truncate text-base font-semibold outline-none"
        >
          #{promptId}
          {type && ` · ${typeLabel(type)}`}
        </h3>
        <Button
          variant="ghost"
          size="sm"
          onClick={onClose}
          aria-label="Close details"
          title="Close details"
          className="max-lg:hidden"
        >
          <span aria-hidden="true" className="text-lg leading-none">
            ×
          </span>
        </Button>
      </header>
      <div className="min-h-0 flex-1 overflow-y-auto px-5 py-4">
        <PromptDetail promptId={promptId} />
      </div>
    </section>
  );
}
