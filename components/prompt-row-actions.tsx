"use client";

import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { PromptJson } from "@/lib/api-types";
import { useCancelPrompt, useRequeuePrompt } from "@/lib/client/prompts";
import { SignedInOnly } from "./signed-in-only";
import { Button } from "./ui/button";

type Action = "cancel" | "retry" | "requeue";

/** What a person may do to a prompt in its present state. */
export function actionsFor(prompt: PromptJson): Action[] {
  const actions: Action[] = [];
  if (prompt.status === "failed") actions.push("retry");
  if (prompt.status === "processing") actions.push("requeue");
  const isCancellable =
    prompt.status === "unprocessed" ||
    prompt.status === "processing" ||
    (prompt.status === "completed" && prompt.artifactStatus === "pending");
  if (isCancellable) actions.push("cancel");
  return actions;
}

const labels: Record<Action, string> = {
  cancel: "Cancel",
  retry: "Retry",
  requeue: "Requeue",
};

/** Cancelling loses the work; requeueing a running stage throws it away. */
const questions: Partial<Record<Action, (id: number) => string>> = {
  cancel: (id) => `Cancel prompt #${id}? It will not run again.`,
  requeue: (id) => `Requeue #${id}? Its running stage starts over.`,
};

/**
 * Cancel, retry and requeue for one prompt; the two that lose work ask
 * first, in place, with the focus on the safe answer.
 */
export function PromptRowActions({ prompt }: { prompt: PromptJson }) {
  const [confirming, setConfirming] = useState<Action | null>(null);
  // The action whose question was dismissed gets the focus back.
  const refocus = useRef<Action | null>(null);
  const buttons = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (confirming || !refocus.current) return;
    buttons.current
      ?.querySelector<HTMLElement>(`[data-action="${refocus.current}"]`)
      ?.focus();
    refocus.current = null;
  }, [confirming]);
  const cancel = useCancelPrompt();
  const requeue = useRequeuePrompt();
  const isBusy = cancel.isPending || requeue.isPending;
  const actions = actionsFor(prompt);
  if (actions.length === 0) return null;

  const run = (action: Action) => {
    setConfirming(null);
    (action === "cancel" ? cancel : requeue).mutate(prompt.id);
  };
  const start = (action: Action) =>
    questions[action] ? setConfirming(action) : run(action);
  const dismiss = () => {
    refocus.current = confirming;
    setConfirming(null);
  };
  // Escape answers the question "no" and leaves the dialog open.
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== "Escape") return;
    event.stopPropagation();
    dismiss();
  };

  if (confirming) {
    return (
      <div
        role="group"
        aria-label={`Confirm ${labels[confirming].toLowerCase()}`}
        onKeyDown={onKeyDown}
        className="flex flex-wrap items-center justify-end gap-2 px-3 pb-2.5 text-sm"
      >
        <span className="text-stone-700">
          {questions[confirming]!(prompt.id)}
        </span>
        <Button
          size="sm"
          variant="danger"
          data-testid={`confirm-${confirming}-${prompt.id}`}
          onClick={() => run(confirming)}
        >
          Yes, {labels[confirming].toLowerCase()}
        </Button>
        {/* The safe answer has the focus: Enter twice loses nothing. */}
        <Button
          size="sm"
          variant="ghost"
          data-autofocus
          autoFocus
          data-testid={`keep-${prompt.id}`}
          onClick={dismiss}
        >
          Keep it
        </Button>
      </div>
    );
  }
  return (
    <div ref={buttons} className="flex justify-end gap-2 px-3 pb-2.5">
      <SignedInOnly what="cancel or retry prompts">
        {actions.map((action) => (
          <Button
            key={action}
            data-action={action}
            size="sm"
            variant={action === "cancel" ? "danger" : "secondary"}
            disabled={isBusy}
            data-testid={`${action}-${prompt.id}`}
            aria-label={`${labels[action]} prompt #${prompt.id}`}
            onClick={() => start(action)}
          >
            {labels[action]}
          </Button>
        ))}
      </SignedInOnly>
    </div>
  );
}
