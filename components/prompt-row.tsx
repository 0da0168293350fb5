import type { PromptJson } from "@/lib/api-types";
import { formatTime, typeLabel } from "./format";
import { PromptRowActions } from "./prompt-row-actions";
import { PromptWaiting } from "./prompt-waiting";
import { ArtifactStatusBadge, StatusBadge } from "./status-badge";

type PromptRowProps = {
  prompt: PromptJson;
  onSelect: (promptId: number) => void;
  /**
   * Whether this copy carries the plain test ids (`prompt-row-12`,
   * `status-12`); only one copy on screen may, or tests find two.
   */
  ownsTestIds?: boolean;
  /** Shows cancel, retry and requeue under the row. */
  hasActions?: boolean;
  /** Marks the row whose detail is open beside the list. */
  isSelected?: boolean;
};

/** One prompt in a list; the whole row opens its detail. */
export function PromptRow({
  prompt,
  onSelect,
  ownsTestIds = true,
  hasActions = false,
  isSelected = false,
}: PromptRowProps) {
  const testIdPrefix = ownsTestIds ? "" : null;
  return (
    <li
      className={
        isSelected
          ? "bg-teal-50 shadow-[inset_3px_0_0_var(--color-teal-600)] first:rounded-t-lg last:rounded-b-lg"
          : undefined
      }
    >
      <button
        type="button"
        onClick={() => onSelect(prompt.id)}
        aria-current={isSelected ? "true" : undefined}
        data-prompt-id={prompt.id}
        data-testid={ownsTestIds ? `prompt-row-${prompt.id}` : undefined}
        data-status={prompt.status}
        className={`flex w-full items-start gap-3 rounded-lg px-3 py-2.5 text-left focus-visible:outline-2 focus-visible:outline-teal-600 ${isSelected ? "" : "hover:bg-stone-50"}`}
      >
        <span className="min-w-0 flex-1">
          <span className="block text-xs text-stone-500">
            #{prompt.id} · {typeLabel(prompt.type)} ·{" "}
            <time dateTime={prompt.createdAt}>
              {formatTime(prompt.createdAt)}
            </time>
          </span>
          {/* line-clamp sets its own display; adding `block` would undo it. */}
          <span
            dir="auto"
            className="mt-0.5 line-clamp-2 text-sm wrap-anywhere text-stone-900 [unicode-bidi:isolate]"
          >
            {prompt.text}
          </span>
          {prompt.lastError && (
            <span
              dir="auto"
              className="mt-1 line-clamp-2 text-xs wrap-anywhere text-rose-700 [unicode-bidi:isolate]"
            >
              {prompt.lastError}
            </span>
          )}
          <PromptWaiting prompt={prompt} className="mt-1 block" />
          <RenderProgress prompt={prompt} />
        </span>
        <span className="flex shrink-0 flex-col items-end gap-1">
          <StatusBadge
            promptId={prompt.id}
            status={prompt.status}
            testIdPrefix={testIdPrefix}
          />
          <ArtifactStatusBadge
            promptId={prompt.id}
            artifactStatus={prompt.artifactStatus}
            testIdPrefix={testIdPrefix}
          />
        </span>
      </button>
      {hasActions && <PromptRowActions prompt={prompt} />}
    </li>
  );
}

/** Stage 2's progress while it renders, as a bar with its percentage. */
function RenderProgress({ prompt }: { prompt: PromptJson }) {
  if (prompt.progress === null || prompt.status !== "processing") return null;
  return (
    <span className="mt-1.5 flex items-center gap-2">
      <span
        role="progressbar"
        aria-label={`Rendering prompt #${prompt.id}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={prompt.progress}
        data-testid={`progress-${prompt.id}`}
        className="block h-1.5 w-full max-w-48 overflow-hidden rounded-full bg-stone-200"
      >
        <span
          className="block h-full rounded-full bg-amber-500 transition-[width]"
          style={{ width: `${prompt.progress}%` }}
        />
      </span>
      <span className="text-xs text-stone-500 tabular-nums">
        {prompt.progress}%
      </span>
    </span>
  );
}
