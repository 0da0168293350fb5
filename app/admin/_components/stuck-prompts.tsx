"use client";

import { formatAge, formatDuration, typeLabel } from "@/components/format";
import { ArtifactStatusBadge, StatusBadge } from "@/components/status-badge";
import { Button } from "@/components/ui/button";
import type { PromptJson, StuckPageJson, StuckRuleJson } from "@/lib/api-types";
import { useStuckPrompts } from "@/lib/client/admin";
import { useRequeuePrompt } from "@/lib/client/prompts";

const ruleOrder: StuckRuleJson[] = [
  "processing_too_long",
  "media_waiting",
  "failed",
];

/** Prompts that look stuck, grouped by the rule that caught them. */
export function StuckPrompts() {
  const { data, isPending, isError } = useStuckPrompts();
  return (
    <section className="space-y-4">
      <div>
        <h2 className="text-base font-semibold">Stuck</h2>
        {data && (
          <p className="text-sm text-stone-500">
            Threshold: {formatDuration(data.thresholdMs)} without a change.
          </p>
        )}
      </div>
      {isPending && <p className="text-sm text-stone-500">Loading…</p>}
      {isError && (
        <p className="text-sm text-rose-700">Could not load stuck prompts.</p>
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
          <RuleGroup key={rule} rule={rule} page={data} />
        ))}
    </section>
  );
}

function RuleGroup({
  rule,
  page,
}: {
  rule: StuckRuleJson;
  page: StuckPageJson;
}) {
  const prompts = page.items
    .filter((item) => item.rule === rule)
    .map((item) => item.prompt);
  if (prompts.length === 0) return null;
  return (
    <div
      data-testid={`stuck-group-${rule}`}
      className="rounded-xl border border-stone-200 bg-white shadow-sm"
    >
      <h3 className="border-b border-stone-100 px-4 py-2.5 text-sm">
        <span className="font-semibold">{rule.replaceAll("_", " ")}</span>
        <span className="text-stone-500"> — {page.rules[rule]}</span>
        <span className="ml-2 text-stone-500">({prompts.length})</span>
      </h3>
      <ul className="divide-y divide-stone-100">
        {prompts.map((prompt) => (
          <StuckRow key={prompt.id} prompt={prompt} />
        ))}
      </ul>
    </div>
  );
}

function StuckRow({ prompt }: { prompt: PromptJson }) {
  const requeue = useRequeuePrompt();
  return (
    <li
      data-testid={`stuck-row-${prompt.id}`}
      className="flex items-start gap-3 px-4 py-3"
    >
      <div className="min-w-0 flex-1">
        <p className="text-xs text-stone-500">
          #{prompt.id} · {typeLabel(prompt.type)} · attempts {prompt.attempts} ·
          changed {formatAge(prompt.updatedAt)}
          {prompt.leaseOwner && ` · held by ${prompt.leaseOwner}`}
        </p>
        <p
          dir="auto"
          className="mt-0.5 line-clamp-2 text-sm wrap-anywhere [unicode-bidi:isolate]"
        >
          {prompt.text}
        </p>
        {prompt.lastError && (
          <p
            dir="auto"
            className="mt-1 text-xs wrap-anywhere whitespace-pre-wrap text-rose-700 [unicode-bidi:isolate]"
          >
            {prompt.lastError}
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
