"use client";

import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { PromptTypeSelect } from "@/components/prompt-type-select";
import { isApiError } from "@/lib/client/fetcher";
import { useCreatePrompt } from "@/lib/client/prompts";
import { messageOf } from "@/lib/client/query-client";
import { maxPromptChars, type PromptType } from "@/lib/prompt-types";

const fieldClasses =
  "w-full rounded-md border border-stone-300 bg-white px-3 py-2 text-sm text-stone-900 shadow-sm placeholder:text-stone-500 focus:border-teal-600 focus:outline-2 focus:outline-teal-600/30";

const placeholders: Record<PromptType, string> = {
  poem: "A poem about rain on a tin roof…",
  story: "A story about a lighthouse keeper who finds a letter…",
  haiku: "A haiku about the first frost…",
  image_prompt: "A lighthouse at dusk, watercolor…",
  lyrics_prompt: "A folk song about leaving home…",
};

/**
 * The length the server checks: code points after trimming (zod 4 counts an
 * emoji as one), not UTF-16 units.
 */
function promptLengthOf(text: string): number {
  return Array.from(text.trim()).length;
}

/** Submits a prompt; the API's own validation message shows on failure. */
export function SubmitForm({
  onSubmitted,
}: {
  onSubmitted: (promptId: number) => void;
}) {
  const [type, setType] = useState<PromptType>("poem");
  const [text, setText] = useState("");
  const create = useCreatePrompt();
  const ids = { type: useId(), text: useId(), count: useId(), error: useId() };
  const length = promptLengthOf(text);
  const isTooLong = length > maxPromptChars;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (create.isPending) return;
    create.mutate(
      { type, text },
      {
        onSuccess: ({ prompt }) => {
          setText("");
          onSubmitted(prompt.id);
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <div>
        <label htmlFor={ids.type} className="block text-sm font-medium">
          Type
        </label>
        <PromptTypeSelect
          id={ids.type}
          name="type"
          value={type}
          onChange={setType}
          className={`${fieldClasses} mt-1 sm:w-48`}
        />
      </div>

      <div>
        <label htmlFor={ids.text} className="block text-sm font-medium">
          Prompt
        </label>
        <textarea
          id={ids.text}
          name="text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) submit(e);
          }}
          rows={5}
          placeholder={placeholders[type]}
          aria-describedby={`${ids.count}${create.isError ? ` ${ids.error}` : ""}`}
          aria-invalid={isTooLong || create.isError || undefined}
          className={`${fieldClasses} mt-1 resize-y`}
        />
        <div className="mt-1 flex items-start justify-between gap-3 text-xs">
          <p className="min-w-0 text-stone-500">
            Ctrl+Enter submits. Image and song prompts also get media.
          </p>
          <p
            id={ids.count}
            data-testid="char-count"
            className={`shrink-0 whitespace-nowrap tabular-nums ${isTooLong ? "font-semibold text-rose-700" : "text-stone-500"}`}
          >
            {length} / {maxPromptChars}
            {isTooLong && " (too long)"}
          </p>
        </div>
      </div>

      {create.isError && (
        <div
          id={ids.error}
          role="alert"
          data-testid="submit-error"
          className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-900"
        >
          <p>{messageOf(create.error)}</p>
          <IssueList error={create.error} />
        </div>
      )}
      {create.isSuccess && (
        <p
          role="status"
          data-testid="submit-success"
          data-prompt-id={create.data.prompt.id}
          className="text-sm text-emerald-800"
        >
          Queued as #{create.data.prompt.id}.
        </p>
      )}

      <Button type="submit" variant="primary" disabled={create.isPending}>
        {create.isPending ? "Submitting…" : "Submit"}
      </Button>
    </form>
  );
}

/** Further problems past the first, which the message already names. */
function IssueList({ error }: { error: Error }) {
  const issues = isApiError(error) ? error.issues.slice(1) : [];
  if (issues.length === 0) return null;
  return (
    <ul className="mt-1 list-disc pl-5">
      {issues.map((issue) => (
        <li key={`${issue.path}:${issue.message}`}>
          {issue.path}: {issue.message}
        </li>
      ))}
    </ul>
  );
}
