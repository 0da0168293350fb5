"use client";

import {
  useEffect,
  useRef,
  useState,
  type ReactNode,
  type RefObject,
} from "react";
import { typeLabel } from "@/components/format";
import { PromptRow } from "@/components/prompt-row";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import type { StatsJson } from "@/lib/api-types";
import { usePromptList } from "@/lib/client/prompts";
import { useStats } from "@/lib/client/stats";
import type { PromptListFilter } from "@/lib/client/query-keys";
import {
  artifactStatuses,
  promptTypes,
  statuses,
  type ArtifactStatus,
  type PromptType,
  type Status,
} from "@/lib/prompt-types";
import { SearchInput } from "./browse-search";
import { QueueDrawer } from "./queue-drawer";

const queuePageSize = 20;

type QueueDialogProps = {
  open: boolean;
  onClose: () => void;
  /** The prompt whose detail is open in the drawer, or null for none. */
  selectedId: number | null;
  onSelect: (promptId: number | null) => void;
};

/**
 * The whole queue, filterable and paged, with any prompt's detail in a
 * drawer: beside the list from `lg` up, over it below. Escape closes the
 * drawer first, then the dialog.
 */
export function QueueDialog({
  open,
  onClose,
  selectedId,
  onSelect,
}: QueueDialogProps) {
  const [filter, setFilter] = useState<PromptListFilter>({});
  const listRef = useRef<HTMLDivElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useDrawerFocus(open, selectedId, headingRef, listRef);
  const isDrawerOpen = selectedId !== null;
  const closeDrawer = () => onSelect(null);

  return (
    <Dialog
      open={open}
      onClose={onClose}
      onEscape={isDrawerOpen ? closeDrawer : onClose}
      testId="queue-dialog"
      title="Queue"
      isWide={isDrawerOpen}
      hasPanes
    >
      <div
        ref={listRef}
        data-testid="queue-list-pane"
        className={`min-h-0 overflow-y-auto px-5 py-4 ${isDrawerOpen ? "hidden lg:block lg:w-2/5 lg:shrink-0" : "flex-1"}`}
      >
        <QueueList
          filter={filter}
          onFilter={setFilter}
          selectedId={selectedId}
          onSelect={onSelect}
        />
      </div>
      {isDrawerOpen && (
        <QueueDrawer
          key={selectedId}
          promptId={selectedId}
          onClose={closeDrawer}
          headingRef={headingRef}
        />
      )}
    </Dialog>
  );
}

/**
 * Opening a detail moves focus to the drawer's heading; closing it moves
 * focus back to the row that opened it (or, if a filter has hidden that
 * row, to the list's first control).
 */
function useDrawerFocus(
  open: boolean,
  selectedId: number | null,
  headingRef: RefObject<HTMLHeadingElement | null>,
  listRef: RefObject<HTMLDivElement | null>,
) {
  const shownId = useRef<number | null>(null);
  useEffect(() => {
    const closedId = shownId.current;
    shownId.current = open ? selectedId : null;
    if (!open) return;

    if (selectedId !== null) {
      headingRef.current?.focus();
    } else if (closedId !== null) {
      const list = listRef.current;
      const row = list?.querySelector<HTMLElement>(
        `[data-prompt-id="${closedId}"]`,
      );
      (row ?? list?.querySelector<HTMLElement>("input, select"))?.focus();
    }
  }, [open, selectedId, headingRef, listRef]);
}

type QueueListProps = {
  filter: PromptListFilter;
  onFilter: (filter: PromptListFilter) => void;
  selectedId: number | null;
  onSelect: (promptId: number) => void;
};

function QueueList({ filter, onFilter, selectedId, onSelect }: QueueListProps) {
  const list = usePromptList({ ...filter, limit: queuePageSize });
  const prompts = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="space-y-3">
      <QueueFilterBar filter={filter} onFilter={onFilter} />

      {list.isPending && <p className="text-sm text-stone-500">Loading…</p>}
      {list.isError && (
        <p className="text-sm text-rose-700">Could not load the queue.</p>
      )}
      {list.data && prompts.length === 0 && (
        <p className="py-6 text-center text-sm text-stone-500">
          No prompts match.
        </p>
      )}
      {prompts.length > 0 && (
        <ul
          data-testid="queue-list"
          className="divide-y divide-stone-100 rounded-lg border border-stone-200"
        >
          {prompts.map((prompt) => (
            <PromptRow
              key={prompt.id}
              prompt={prompt}
              onSelect={onSelect}
              isSelected={prompt.id === selectedId}
              hasActions
            />
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <Button
          onClick={() => void list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
          data-testid="queue-load-more"
          className="w-full"
        >
          {list.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      )}
    </div>
  );
}

type QueueFilterBarProps = {
  filter: PromptListFilter;
  onFilter: (filter: PromptListFilter) => void;
};

/**
 * The queue's filters, each option with its count from the stats (which
 * follow the event stream). The text search goes in the marked slot.
 */
function QueueFilterBar({ filter, onFilter }: QueueFilterBarProps) {
  const allStats = useStats().data;
  // The counts are of the whole queue: with a search they would mislead.
  const stats = filter.q ? undefined : allStats;
  return (
    <div
      role="group"
      aria-label="Filter the queue"
      data-testid="queue-filters"
      className="flex flex-wrap items-end gap-3"
    >
      <SearchInput
        label="Search"
        testId="queue-search"
        initialValue={filter.q}
        onSearch={(q) => onFilter({ ...filter, q })}
        className="min-w-48 flex-1"
      />
      <FilterSelect
        label="Status"
        testId="queue-filter-status"
        value={filter.status}
        options={statuses}
        counts={stats?.byStatus}
        total={stats?.total}
        onChange={(status) => onFilter({ ...filter, status })}
      />
      <FilterSelect
        label="Media status"
        testId="queue-filter-artifact-status"
        value={filter.artifactStatus}
        options={artifactStatuses}
        counts={stats?.byArtifactStatus}
        total={stats?.total}
        onChange={(artifactStatus) => onFilter({ ...filter, artifactStatus })}
      />
      <FilterSelect
        label="Kind"
        testId="queue-filter-type"
        value={filter.type}
        options={promptTypes}
        counts={stats?.byType}
        total={stats?.total}
        describe={typeLabel}
        onChange={(type) => onFilter({ ...filter, type })}
      />
    </div>
  );
}

type Counts = StatsJson["byStatus" | "byArtifactStatus" | "byType"];

type FilterSelectProps<T extends Status | ArtifactStatus | PromptType> = {
  label: ReactNode;
  testId: string;
  value: T | undefined;
  options: readonly T[];
  describe?: (option: T) => string;
  /** How many prompts each option would show; unknown while loading. */
  counts?: Counts;
  total?: number;
  onChange: (value: T | undefined) => void;
};

function FilterSelect<T extends Status | ArtifactStatus | PromptType>({
  label,
  testId,
  value,
  options,
  describe = String,
  counts,
  total,
  onChange,
}: FilterSelectProps<T>) {
  const withCount = (text: string, count: number | undefined) =>
    count === undefined ? text : `${text} (${count})`;
  return (
    <label className="text-xs font-medium text-stone-600">
      {label}
      <select
        value={value ?? ""}
        data-testid={testId}
        onChange={(e) => onChange((e.target.value || undefined) as T)}
        className="mt-1 block rounded-md border border-stone-300 bg-white px-2 py-1.5 text-sm text-stone-900 focus:border-teal-600 focus:outline-2 focus:outline-teal-600/30"
      >
        <option value="">{withCount("All", total)}</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {withCount(
              describe(option),
              counts && ((counts as Record<string, number>)[option] ?? 0),
            )}
          </option>
        ))}
      </select>
    </label>
  );
}
