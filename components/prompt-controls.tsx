"use client";

import { useId, useState, type FormEvent, type KeyboardEvent } from "react";
import type {
  PromptHistoryEntryJson,
  PromptJson,
  WritingJson,
} from "@/lib/api-types";
import { useEditPrompt, usePromptControl } from "@/lib/client/actions";
import { messageOf } from "@/lib/client/query-client";
import type { PromptType } from "@/lib/prompt-types";
import { PromptTypeSelect } from "./prompt-type-select";
import { Button } from "./ui/button";

const stateOf = (prompt: PromptJson) =>
  `${prompt.status}/${prompt.artifactStatus ?? "-"}`;

const waitingStates = new Set(["unprocessed/-", "completed/pending"]);
const rewritableStates = new Set([
  "completed/-",
  "completed/ready",
  "failed/failed",
]);

/**
 * Whether the text and type may still change: stage 1 never ran for the
 * prompt. Only decides what is shown; the server has the final word.
 */
export function canEditPrompt(
  prompt: PromptJson,
  writing: WritingJson | null,
  history: PromptHistoryEntryJson[],
): boolean {
  return (
    stateOf(prompt) === "unprocessed/-" &&
    prompt.attempts === 0 &&
    writing === null &&
    history.length === 0
  );
}

/**
 * What a person may do to one prompt in its state: edit it or change its
 * place while it waits, render or write it again once it finished.
 */
export function PromptControls(props: {
  prompt: PromptJson;
  canEdit: boolean;
  onEdit: () => void;
}) {
  const { prompt } = props;
  const isWaiting = waitingStates.has(stateOf(prompt));
  const canRewrite = rewritableStates.has(stateOf(prompt));
  const canRerender = stateOf(prompt) === "completed/ready";
  if (!isWaiting && !canRewrite && !props.canEdit) return null;

  return (
    <div
      role="group"
      aria-label={`Actions for prompt #${prompt.id}`}
      data-testid="prompt-controls"
      className="flex flex-wrap items-center gap-2"
    >
      {props.canEdit && (
        <Button size="sm" onClick={props.onEdit}>
          Edit
        </Button>
      )}
      {isWaiting && <PriorityButtons prompt={prompt} />}
      {canRerender && (
        <ConfirmedAction
          prompt={prompt}
          action="rerender"
          label="Re-render"
          question={`Render prompt #${prompt.id} again from its spec? The current files move to its earlier results.`}
        />
      )}
      {canRewrite && (
        <ConfirmedAction
          prompt={prompt}
          action="rewrite"
          label="Re-write"
          question={`Write prompt #${prompt.id} again from the start? The current writing${prompt.artifactStatus ? " and files move" : " moves"} to its earlier results.`}
        />
      )}
    </div>
  );
}

const minPriority = -100;
const maxPriority = 100;

function PriorityButtons({ prompt }: { prompt: PromptJson }) {
  const edit = useEditPrompt();
  const moveToTop = usePromptControl("move-to-top");
  const isBusy = edit.isPending || moveToTop.isPending;
  const setPriority = (priority: number) =>
    edit.mutate({ promptId: prompt.id, priority });
  return (
    <>
      <span className="text-xs text-stone-500">Priority {prompt.priority}</span>
      <Button
        size="sm"
        aria-label="Raise priority"
        disabled={isBusy || prompt.priority >= maxPriority}
        onClick={() => setPriority(prompt.priority + 1)}
      >
        ↑
      </Button>
      <Button
        size="sm"
        aria-label="Lower priority"
        disabled={isBusy || prompt.priority <= minPriority}
        onClick={() => setPriority(prompt.priority - 1)}
      >
        ↓
      </Button>
      <Button
        size="sm"
        disabled={isBusy}
        onClick={() => moveToTop.mutate(prompt.id)}
      >
        Move to top
      </Button>
    </>
  );
}

function ConfirmedAction(props: {
  prompt: PromptJson;
  action: "rerender" | "rewrite";
  label: string;
  question: string;
}) {
  const control = usePromptControl(props.action);
  return (
    <Button
      size="sm"
      disabled={control.isPending}
      onClick={() => {
        if (window.confirm(props.question)) control.mutate(props.prompt.id);
      }}
    >
      {props.label}
    </Button>
  );
}

const fieldClasses =
  "w-full rounded-md border border-stone-300 bg-white px-3 py-2 text-sm text-stone-900 shadow-sm focus:border-teal-600 focus:outline-2 focus:outline-teal-600/30";

/** Edits the text and type of a prompt that has not started. */
export function PromptEditForm(props: {
  prompt: PromptJson;
  onDone: () => void;
}) {
  const [text, setText] = useState(props.prompt.text);
  const [type, setType] = useState<PromptType>(props.prompt.type);
  const edit = useEditPrompt({ silent: true });
  const ids = { text: useId(), type: useId(), error: useId() };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    edit.mutate(
      { promptId: props.prompt.id, text, type },
      { onSuccess: props.onDone },
    );
  };

  // Escape leaves the edit, not the dialog, and asks before a draft is lost.
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== "Escape") return;
    event.stopPropagation();
    const isChanged = text !== props.prompt.text || type !== props.prompt.type;
    if (!isChanged || window.confirm("Discard your changes to this prompt?")) {
      props.onDone();
    }
  };

  return (
    <form
      onSubmit={submit}
      onKeyDown={onKeyDown}
      noValidate
      data-testid="prompt-edit-form"
      className="space-y-2"
    >
      <label htmlFor={ids.type} className="block text-xs font-medium">
        Type
      </label>
      <PromptTypeSelect
        id={ids.type}
        value={type}
        onChange={setType}
        className={`${fieldClasses} sm:w-48`}
      />
      <label htmlFor={ids.text} className="block text-xs font-medium">
        Text
      </label>
      <textarea
        id={ids.text}
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={4}
        aria-describedby={edit.isError ? ids.error : undefined}
        aria-invalid={edit.isError || undefined}
        className={`${fieldClasses} resize-y`}
      />
      {edit.isError && (
        <p
          id={ids.error}
          role="alert"
          className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-900"
        >
          {messageOf(edit.error)}
        </p>
      )}
      <div className="flex gap-2">
        <Button
          type="submit"
          size="sm"
          variant="primary"
          disabled={edit.isPending}
        >
          {edit.isPending ? "Saving…" : "Save"}
        </Button>
        <Button size="sm" variant="ghost" onClick={props.onDone}>
          Cancel edit
        </Button>
      </div>
    </form>
  );
}
