"use client";

import { PromptRow } from "@/components/prompt-row";
import { Button } from "@/components/ui/button";
import { usePromptList } from "@/lib/client/prompts";

const recentCount = 8;

type RecentPromptsProps = {
  onSelect: (promptId: number) => void;
  onOpenQueue: () => void;
  /** False while the queue dialog shows the same prompts in front. */
  ownsTestIds: boolean;
};

/** The newest prompts, live, so a new one is seen moving through its stages. */
export function RecentPrompts({
  onSelect,
  onOpenQueue,
  ownsTestIds,
}: RecentPromptsProps) {
  const { data, isPending, isError } = usePromptList({ limit: recentCount });
  const prompts =
    data?.pages.flatMap((page) => page.items).slice(0, recentCount) ?? [];

  return (
    <div className="space-y-2">
      <div className="flex items-center justify-between gap-3">
        <h2 className="text-sm font-semibold text-stone-700">Recent</h2>
        <Button size="sm" onClick={onOpenQueue} data-testid="open-queue">
          Open queue
        </Button>
      </div>
      {isPending && <p className="text-sm text-stone-500">Loading…</p>}
      {isError && (
        <p className="text-sm text-rose-700">Could not load the queue.</p>
      )}
      {data && prompts.length === 0 && (
        <p className="rounded-lg border border-dashed border-stone-300 px-4 py-6 text-center text-sm text-stone-500">
          Nothing yet. Submit a prompt above and watch it here.
        </p>
      )}
      {prompts.length > 0 && (
        <ul
          data-testid="recent-prompts"
          className="divide-y divide-stone-100 rounded-lg border border-stone-200 bg-white"
        >
          {prompts.map((prompt) => (
            <PromptRow
              key={prompt.id}
              prompt={prompt}
              onSelect={onSelect}
              ownsTestIds={ownsTestIds}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
