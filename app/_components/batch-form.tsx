"use client";

import {
  useDeferredValue,
  useId,
  useMemo,
  useState,
  type FormEvent,
} from "react";
import { typeLabel } from "@/components/format";
import { PromptTypeSelect } from "@/components/prompt-type-select";
import { Button } from "@/components/ui/button";
import { useCreateBatch } from "@/lib/client/actions";
import { isApiError } from "@/lib/client/fetcher";
import { messageOf } from "@/lib/client/query-client";
import {
  maxBatchPrompts,
  parseBatch,
  type BatchInput,
} from "@/lib/prompt-batch";
import type { PromptType } from "@/lib/prompt-types";
import { jsonBodyBytes, maxBodyBytes } from "@/lib/request-limits";

const fieldClasses =
  "w-full rounded-md border border-stone-300 bg-white px-3 py-2 text-sm text-stone-900 shadow-sm placeholder:text-stone-500 focus:border-teal-600 focus:outline-2 focus:outline-teal-600/30";

type Format = "lines" | "csv";

const placeholders: Record<Format, string> = {
  lines: "A poem about rain\nA poem about the sea\nA poem about leaving",
  csv: 'type,text\npoem,"Rain, then sun"\nimage_prompt,A lighthouse at dusk',
};

/** How many parsed rows the preview lists before "and N more". */
const previewRows = 8;

/**
 * Pastes many prompts at once: one per line of one type, or CSV rows of
 * type and text. The preview parses as the server will, so line errors
 * show before submitting; the server checks again and adds all or none.
 */
export function BatchForm() {
  const [format, setFormat] = useState<Format>("lines");
  const [type, setType] = useState<PromptType>("poem");
  const [text, setText] = useState("");
  const create = useCreateBatch();
  const ids = { type: useId(), text: useId(), preview: useId() };
  const input: BatchInput = format === "csv" ? { csv: text } : { text, type };
  const deferredText = useDeferredValue(text);
  const parsed = useMemo(() => {
    if (deferredText.trim() === "") return null;
    return parseBatch(
      format === "csv" ? { csv: deferredText } : { text: deferredText, type },
    );
  }, [deferredText, format, type]);
  const bodyBytes = jsonBodyBytes(input);
  const isTooLarge = bodyBytes > maxBodyBytes;
  const isReady = parsed !== null && parsed.errors.length === 0 && !isTooLarge;
  const canSubmit = isReady && deferredText === text && !create.isPending;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit) return;
    create.mutate(input, { onSuccess: () => setText("") });
  };

  return (
    <form
      onSubmit={submit}
      noValidate
      data-testid="batch-form"
      className="space-y-3"
    >
      <fieldset className="flex flex-wrap gap-4 text-sm">
        <legend className="sr-only">Format</legend>
        {(["lines", "csv"] as const).map((option) => (
          <label key={option} className="flex items-center gap-1.5">
            <input
              type="radio"
              name="batch-format"
              value={option}
              checked={format === option}
              onChange={() => setFormat(option)}
            />
            {option === "lines" ? "One prompt per line" : "CSV"}
          </label>
        ))}
      </fieldset>

      {format === "csv" && (
        <p className="text-xs text-stone-500">
          Two columns per row, the kind of prompt and its text, as in the
          example; a header row is optional. Put a text with commas in double
          quotes.
        </p>
      )}

      {format === "lines" && (
        <div>
          <label htmlFor={ids.type} className="block text-sm font-medium">
            Each line is a
          </label>
          <PromptTypeSelect
            id={ids.type}
            value={type}
            onChange={setType}
            className={`${fieldClasses} mt-1 sm:w-48`}
          />
        </div>
      )}

      <div>
        <label htmlFor={ids.text} className="block text-sm font-medium">
          Prompts (up to {maxBatchPrompts})
        </label>
        <textarea
          id={ids.text}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={6}
          placeholder={placeholders[format]}
          aria-describedby={ids.preview}
          aria-invalid={(parsed?.errors.length ?? 0) > 0 || undefined}
          className={`${fieldClasses} mt-1 resize-y font-mono`}
        />
      </div>

      <div id={ids.preview} aria-live="polite">
        {parsed && <Preview parse={parsed} bodyBytes={bodyBytes} />}
      </div>

      {create.isError && (
        <div
          role="alert"
          data-testid="batch-error"
          className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-900"
        >
          <p>{messageOf(create.error)}</p>
          {isApiError(create.error) && create.error.issues.length > 1 && (
            <ul className="mt-1 list-disc pl-5">
              {create.error.issues.slice(1).map((issue) => (
                <li key={issue.path}>
                  {issue.path}: {issue.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {create.isSuccess && (
        <p
          role="status"
          data-testid="batch-success"
          className="text-sm text-emerald-800"
        >
          Queued {create.data.count} prompts (#{create.data.prompts[0]?.id}
          {create.data.count > 1 && `–#${create.data.prompts.at(-1)?.id}`}).
        </p>
      )}

      <Button type="submit" variant="primary" disabled={!canSubmit}>
        {create.isPending
          ? "Adding…"
          : isReady
            ? `Add ${parsed.rows.length} prompts`
            : "Add prompts"}
      </Button>
    </form>
  );
}

function Preview({
  parse,
  bodyBytes,
}: {
  parse: ReturnType<typeof parseBatch>;
  bodyBytes: number;
}) {
  const { rows, errors } = parse;
  const isTooLarge = bodyBytes > maxBodyBytes;
  return (
    <div data-testid="batch-preview" className="space-y-2 text-sm">
      {isTooLarge && (
        <p
          data-testid="batch-too-large"
          className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 font-medium text-rose-900"
        >
          Too large: {kibOf(bodyBytes)} KiB of {maxBodyBytes / 1024} KiB the
          server accepts at once; split it into smaller batches.
        </p>
      )}
      {errors.length > 0 && (
        <div
          data-testid="batch-line-errors"
          className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-rose-900"
        >
          <ul className="list-disc pl-5">
            {errors.slice(0, 20).map((error) => (
              <li key={`${error.line}:${error.message}`}>
                Line {error.line}: {error.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <p className="text-stone-600" data-testid="batch-count">
        {errors.length > 0
          ? `Fix ${errors.length} ${errors.length === 1 ? "line" : "lines"}; nothing is added while one is wrong.`
          : isTooLarge
            ? `${rows.length} ${rows.length === 1 ? "prompt" : "prompts"}, too many bytes to send at once`
            : `${rows.length} ${rows.length === 1 ? "prompt" : "prompts"} ready`}
      </p>
      {rows.length > 0 && (
        <table className="w-full table-fixed text-left text-xs">
          <thead className="text-stone-500">
            <tr>
              <th scope="col" className="w-12 py-1 font-medium">
                Line
              </th>
              <th scope="col" className="w-24 py-1 font-medium">
                Type
              </th>
              <th scope="col" className="py-1 font-medium">
                Text
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, previewRows).map((row) => (
              <tr key={row.line} className="border-t border-stone-100">
                <td className="py-1 tabular-nums">{row.line}</td>
                <td className="py-1">{typeLabel(row.type)}</td>
                <td dir="auto" className="truncate py-1 [unicode-bidi:isolate]">
                  {row.text}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows.length > previewRows && (
        <p className="text-xs text-stone-500">
          and {rows.length - previewRows} more
        </p>
      )}
    </div>
  );
}

/** Whole KiB, rounded up, so a body just over the limit never reads as 64. */
function kibOf(bytes: number): number {
  return Math.ceil(bytes / 1024);
}
