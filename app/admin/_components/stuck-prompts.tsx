"use client";

import { useState } from "react";
import { formatAge, typeLabel } from "@/components/format";
import { ArtifactStatusBadge, StatusBadge } from "@/components/status-badge";
import type { StuckPageJson, StuckRuleJson } from "@/lib/api-types";
import { Button } from "@/components/ui/button";
import {
  cardInset,
  cardTitleClasses,
  flushCardClasses,
} from "@/components/ui/card";
import { useStuckPrompts } from "@/lib/client/admin";
import { useRequeuePrompt } from "@/lib/client/prompts";
import { BulkActions } from "./bulk-actions";

const ruleOrder: StuckRuleJson[] = [
  "processing_too_long",
  "media_waiting",
  "waiting_for_backend",
  "failed",
];

const ruleTitles: Record<StuckRuleJson, string> = {
  processing_too_long: "Processing too long",
  media_waiting: "Media waiting",
  waiting_for_backend: "Waiting for a backend",
  failed: "Failed",
};

type StuckItem = StuckPageJson["items"][number];

/**
 * Prompts that look stuck, grouped by the rule that caught them with its
 * threshold; select some to requeue, retry or cancel them together.
 */
export function StuckPrompts() {
  const { data, isPending, isError } = useStuckPrompts();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const shownIds = new Set(data?.items.map((item) => item.prompt.id));
  // A prompt that left the list (it moved on) is no longer selected.
  const selectedIds = [...selected].filter((id) => shownIds.has(id));
  const toggle = (ids: number[], isOn: boolean) => {
    const next = new Set(selectedIds);
    for (const id of ids) {
      if (isOn) next.add(id);
      else next.delete(id);
    }
    setSelected(next);
  };

  return (
    <section className="space-y-4" aria-labelledby="stuck-title">
      <h2 id="stuck-title" className={cardTitleClasses}>
        Stuck
      </h2>
      {isPending && <p className="text-sm text-stone-500">Loading…</p>}
      {isError && (
        <p className="text-sm text-rose-700">Could not load stuck prompts.</p>
      )}
      {data && (
        <BulkActions
          selectedIds={selectedIds}
          onDone={() => setSelected(new Set())}
        />
      )}
      {data && data.items.length === 0 && (
        <p
          data-testid="stuck-empty"
          className="rounded-lg border border-dashed border-stone-300 px-4 py-6 text-center text-sm text-stone-500"
        >
          Nothing is stuck.
        </p>
      )}
      {data &&
        ruleOrder.map((rule) => (
          <RuleGroup
            key={rule}
            rule={rule}
            page={data}
            selected={new Set(selectedIds)}
            onToggle={toggle}
          />
        ))}
    </section>
  );
}

type RuleGroupProps = {
  rule: StuckRuleJson;
  page: StuckPageJson;
  selected: Set<number>;
  onToggle: (ids: number[], isOn: boolean) => void;
};

function RuleGroup({ rule, page, selected, onToggle }: RuleGroupProps) {
  const items = page.items.filter((item) => item.rule === rule);
  const ids = items.map((item) => item.prompt.id);
  const isAllSelected = ids.length > 0 && ids.every((id) => selected.has(id));
  return (
    <div data-testid={`stuck-group-${rule}`} className={flushCardClasses}>
      <div
        className={`flex flex-wrap items-baseline gap-x-3 gap-y-1 border-b border-stone-100 py-3 text-sm ${cardInset}`}
      >
        <h3 className="font-semibold">
          {ruleTitles[rule]}{" "}
          <span className="font-normal text-stone-500">({items.length})</span>
        </h3>
        <p className="flex-1 text-stone-500">{page.rules[rule]}</p>
        <p
          data-testid={`stuck-threshold-${rule}`}
          className="text-xs text-stone-600"
        >
          Threshold: {page.thresholds[rule]}
        </p>
      </div>
      {items.length === 0 ? (
        <p className={`${cardInset} py-3 text-sm text-stone-500`}>None.</p>
      ) : (
        <>
          <label
            className={`flex items-center gap-2 border-b border-stone-100 py-2 text-xs text-stone-600 ${cardInset}`}
          >
            <input
              type="checkbox"
              checked={isAllSelected}
              onChange={(event) => onToggle(ids, event.target.checked)}
              className="size-4 accent-teal-700"
            />
            Select all {items.length}
          </label>
          <ul className="divide-y divide-stone-100">
            {items.map((item) => (
              <StuckRow
                key={item.prompt.id}
                item={item}
                isSelected={selected.has(item.prompt.id)}
                onToggle={(isOn) => onToggle([item.prompt.id], isOn)}
              />
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

type StuckRowProps = {
  item: StuckItem;
  isSelected: boolean;
  onToggle: (isOn: boolean) => void;
};

function StuckRow({ item, isSelected, onToggle }: StuckRowProps) {
  const { prompt } = item;
  const requeue = useRequeuePrompt();
  const since = item.waitingSince ?? prompt.updatedAt;
  return (
    <li
      data-testid={`stuck-row-${prompt.id}`}
      className={`flex items-start gap-3 py-3 ${cardInset}`}
    >
      <input
        type="checkbox"
        checked={isSelected}
        onChange={(event) => onToggle(event.target.checked)}
        aria-label={`Select prompt #${prompt.id}`}
        data-testid={`select-${prompt.id}`}
        className="mt-0.5 size-4 shrink-0 accent-teal-700"
      />
      <div className="min-w-0 flex-1">
        <p className="text-xs text-stone-500">
          #{prompt.id} · {typeLabel(prompt.type)} · attempts {prompt.attempts} ·{" "}
          {item.waitingSince ? "waiting since" : "changed"} {formatAge(since)}
          {prompt.leaseOwner && ` · held by ${prompt.leaseOwner}`}
        </p>
        <p
          dir="auto"
          className="mt-0.5 line-clamp-2 text-sm wrap-anywhere [unicode-bidi:isolate]"
        >
          {prompt.text}
        </p>
        {(prompt.waitingReason ?? prompt.lastError) && (
          <p
            dir="auto"
            className="mt-1 text-xs wrap-anywhere whitespace-pre-wrap text-rose-700 [unicode-bidi:isolate]"
          >
            {prompt.waitingReason ?? prompt.lastError}
          </p>
        )}
      </div>
      <div className="flex shrink-0 flex-col items-end gap-1.5">
        <div className="flex gap-1">
          <StatusBadge promptId={prompt.id} status={prompt.status} />
          <ArtifactStatusBadge
            promptId={prompt.id}
            artifactStatus={prompt.artifactStatus}
          />
        </div>
        {/* One prompt needs no preview: requeue asks nothing of what waits. */}
        <Button
          size="sm"
          data-testid={`requeue-${prompt.id}`}
          disabled={requeue.isPending}
          onClick={() => requeue.mutate(prompt.id)}
        >
          {requeue.isPending ? "Requeueing…" : "Requeue"}
        </Button>
      </div>
    </li>
  );
}
