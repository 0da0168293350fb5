"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { cardInset, flushCardClasses } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import type {
  BulkActionJson,
  BulkResponseJson,
  BulkResultJson,
} from "@/lib/api-types";
import { useBulkAction } from "@/lib/client/admin";
import { announce } from "@/lib/client/announcements";

const actionLabels: Record<BulkActionJson, string> = {
  requeue: "Requeue",
  retry: "Retry",
  cancel: "Cancel",
};

type BulkActionsProps = {
  selectedIds: number[];
  onDone: () => void;
};

/**
 * Requeue, retry or cancel the selected prompts: each first shows a preview
 * of what every prompt would become (or why not), and runs on confirmation.
 */
export function BulkActions({ selectedIds, onDone }: BulkActionsProps) {
  const preview = useBulkAction();
  const run = useBulkAction();
  const [action, setAction] = useState<BulkActionJson | null>(null);
  const count = selectedIds.length;

  const open = (next: BulkActionJson) => {
    setAction(next);
    run.reset();
    preview.mutate({ action: next, ids: selectedIds, preview: true });
  };
  const close = () => {
    setAction(null);
    if (run.data) onDone();
  };
  const confirm = () => {
    if (!action) return;
    run.mutate(
      { action, ids: selectedIds, preview: false },
      { onSuccess: (response) => announce(summaryOf(response)) },
    );
  };

  return (
    <div
      data-testid="bulk-actions"
      className={`flex flex-wrap items-center gap-2 py-3 text-sm ${flushCardClasses} ${cardInset}`}
    >
      <span
        className="min-w-full flex-1 text-stone-600 sm:min-w-0"
        aria-live="polite"
      >
        {count === 0
          ? "Select prompts to act on them together."
          : `${count} selected`}
      </span>
      {(["requeue", "retry", "cancel"] as const).map((name) => (
        <Button
          key={name}
          size="sm"
          variant={name === "cancel" ? "danger" : "secondary"}
          disabled={count === 0}
          data-testid={`bulk-${name}`}
          onClick={() => open(name)}
        >
          {actionLabels[name]}…
        </Button>
      ))}
      <Dialog
        open={action !== null}
        onClose={close}
        testId="bulk-preview"
        title={
          action
            ? `${actionLabels[action]} ${count} ${count === 1 ? "prompt" : "prompts"}`
            : ""
        }
      >
        {preview.isPending && <p className="text-sm">Checking…</p>}
        {preview.isError && (
          <p className="text-sm text-rose-700">Could not preview.</p>
        )}
        {(run.data ?? preview.data) && (
          <BulkOutcome
            response={(run.data ?? preview.data)!}
            isDone={run.data !== undefined}
          />
        )}
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="ghost" onClick={close}>
            {run.data ? "Close" : "Back"}
          </Button>
          {!run.data && (
            <Button
              variant={action === "cancel" ? "danger" : "primary"}
              data-testid="bulk-confirm"
              disabled={
                !preview.data || run.isPending || !hasChanges(preview.data)
              }
              onClick={confirm}
            >
              {run.isPending
                ? "Working…"
                : `${action && actionLabels[action]} now`}
            </Button>
          )}
        </div>
      </Dialog>
    </div>
  );
}

function hasChanges(response: BulkResponseJson) {
  return response.results.some((result) => result.ok);
}

function summaryOf(response: BulkResponseJson): string {
  const changed = response.results.filter((result) => result.ok).length;
  const refused = response.results.length - changed;
  return (
    `${changed} ${changed === 1 ? "prompt" : "prompts"} changed` +
    (refused ? `, ${refused} left as they were.` : ".")
  );
}

/** The preview or the result: one line per prompt, what it becomes or why not. */
function BulkOutcome(props: { response: BulkResponseJson; isDone: boolean }) {
  const { response, isDone } = props;
  return (
    <div className="space-y-2">
      <p className="text-sm text-stone-600" data-testid="bulk-summary">
        {isDone ? summaryOf(response) : "Nothing changes until you confirm."}
      </p>
      <ul className="divide-y divide-stone-100 rounded-lg border border-stone-200 text-sm">
        {response.results.map((result) => (
          <li
            key={result.id}
            data-testid={`bulk-result-${result.id}`}
            data-ok={result.ok}
            className="flex flex-wrap gap-x-3 px-3 py-2"
          >
            <span className="font-medium tabular-nums">#{result.id}</span>
            <ResultText result={result} isDone={isDone} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function ResultText(props: { result: BulkResultJson; isDone: boolean }) {
  const { result, isDone } = props;
  if (!result.ok) {
    return <span className="text-rose-700">not changed: {result.message}</span>;
  }
  return (
    <span>
      <code>{result.from}</code> {isDone ? "became" : "→"}{" "}
      <code>{result.to}</code>
    </span>
  );
}
