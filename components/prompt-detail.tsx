"use client";

import { useState, type ReactNode } from "react";
import type {
  PromptDetailJson,
  PromptDetailWithHistoryJson,
  PromptEventJson,
  PromptHistoryEntryJson,
  PromptJson,
} from "@/lib/api-types";
import {
  useCancelPrompt,
  usePromptDetail,
  useRequeuePrompt,
} from "@/lib/client/prompts";
import { stageTotals, timelineRows } from "@/lib/client/timeline";
import { ArtifactView } from "./artifact-view";
import {
  formatDateTime,
  formatDuration,
  formatTime,
  typeLabel,
} from "./format";
import {
  PromptEditForm,
  PromptControls,
  canEditPrompt,
} from "./prompt-controls";
import { PromptWaiting } from "./prompt-waiting";
import { ArtifactStatusBadge, StatusBadge } from "./status-badge";
import { Button } from "./ui/button";
import { WritingView } from "./writing-view";
import { SignedInOnly } from "./signed-in-only";

/** Everything about one prompt: its state, outputs and whole timeline. */
export function PromptDetail({ promptId }: { promptId: number }) {
  const { data, isPending, isError, error } = usePromptDetail(promptId);
  if (isPending) return <p className="text-sm text-stone-500">Loading…</p>;
  if (isError) {
    return (
      <p role="alert" className="text-sm text-rose-700">
        Could not load prompt #{promptId}: {error.message}
      </p>
    );
  }
  return <DetailBody detail={data} />;
}

function DetailBody({ detail }: { detail: PromptDetailJson }) {
  const { prompt, writing, artifacts, events } = detail;
  const history =
    (detail as Partial<PromptDetailWithHistoryJson>).history ?? [];
  const [isEditing, setEditing] = useState(false);
  const isEditable = canEditPrompt(prompt, writing, history);
  return (
    <article data-testid="prompt-detail" className="space-y-5">
      <header className="flex flex-wrap items-center gap-2">
        <StatusBadge
          promptId={prompt.id}
          status={prompt.status}
          testIdPrefix="detail-"
        />
        <ArtifactStatusBadge
          promptId={prompt.id}
          artifactStatus={prompt.artifactStatus}
          testIdPrefix="detail-"
        />
        <span className="text-xs text-stone-500">
          #{prompt.id} · {typeLabel(prompt.type)} · attempts {prompt.attempts} ·
          priority {prompt.priority}
          {prompt.progress !== null && ` · progress ${prompt.progress}%`}
        </span>
        <div className="ml-auto flex gap-2">
          <SignedInOnly what="change this prompt">
            <CancelButton prompt={prompt} />
            <RequeueButton prompt={prompt} />
          </SignedInOnly>
        </div>
      </header>

      <SignedInOnly what="edit, move or run this prompt again">
        <PromptControls
          prompt={prompt}
          canEdit={isEditable && !isEditing}
          onEdit={() => setEditing(true)}
        />
      </SignedInOnly>

      <Section title="Prompt">
        {isEditing && isEditable ? (
          <PromptEditForm prompt={prompt} onDone={() => setEditing(false)} />
        ) : (
          <pre
            dir="auto"
            data-testid="detail-prompt-text"
            className="font-sans text-sm wrap-anywhere whitespace-pre-wrap text-stone-800 [unicode-bidi:isolate]"
          >
            {prompt.text}
          </pre>
        )}
      </Section>

      <PromptWaiting prompt={prompt} className="block" />
      <RenderProgress prompt={prompt} />

      {prompt.lastError && (
        <Section title="Last error">
          <p
            data-testid="detail-last-error"
            dir="auto"
            className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm wrap-anywhere whitespace-pre-wrap text-rose-900 [unicode-bidi:isolate]"
          >
            {prompt.lastError}
          </p>
        </Section>
      )}

      {writing && (
        <Section title={writing.format === "json" ? "Spec" : "Writing"}>
          <WritingView writing={writing} />
          <p className="mt-1 text-xs text-stone-500">
            Written by {writing.backend} at {formatDateTime(writing.createdAt)}
          </p>
        </Section>
      )}

      {artifacts.length > 0 && (
        <Section title="Artifacts">
          <div className="space-y-4">
            {artifacts.map((artifact) => (
              <ArtifactView
                key={artifact.id}
                artifact={artifact}
                promptId={prompt.id}
              />
            ))}
          </div>
        </Section>
      )}

      {history.length > 0 && (
        <Section title={`Earlier results (${history.length})`}>
          <History promptId={prompt.id} entries={history} />
        </Section>
      )}

      <Section title="Timeline">
        <Timeline events={events} />
      </Section>
    </article>
  );
}

function Section(props: { title: string; children: ReactNode }) {
  return (
    <section>
      <h4 className="mb-1.5 text-xs font-semibold tracking-wide text-stone-500 uppercase">
        {props.title}
      </h4>
      {props.children}
    </section>
  );
}

function Timeline({ events }: { events: PromptEventJson[] }) {
  if (events.length === 0) {
    return <p className="text-sm text-stone-500">No events yet.</p>;
  }
  const rows = timelineRows(events);
  const totals = stageTotals(rows);
  return (
    <div className="space-y-2">
      {totals.length > 0 && (
        <p className="text-xs text-stone-600" data-testid="timeline-totals">
          {totals
            .map(
              ({ stage, ms, runs }) =>
                `${stage === "writing" ? "Writing" : "Rendering"} ` +
                `${formatDuration(ms)}` +
                (runs > 1 ? ` over ${runs} runs` : ""),
            )
            .join(" · ")}
        </p>
      )}
      <ol
        data-testid="prompt-timeline"
        className="space-y-2 border-l border-stone-200 pl-4"
      >
        {rows.map(({ event, sincePreviousMs, stageRun }) => (
          <li key={event.id} className="relative text-sm">
            <span
              aria-hidden="true"
              className="absolute top-1.5 -left-[21px] size-2 rounded-full bg-stone-400"
            />
            <time
              dateTime={event.createdAt}
              title={formatDateTime(event.createdAt)}
              className="mr-2 text-xs text-stone-500 tabular-nums"
            >
              {formatTime(event.createdAt)}
            </time>
            {sincePreviousMs !== null && (
              <span className="mr-2 text-xs text-stone-500 tabular-nums">
                +{formatDuration(sincePreviousMs)}
              </span>
            )}
            <span className="font-medium text-stone-800">{event.reason}</span>{" "}
            <span className="text-stone-600">
              → {stateText(event.toStatus, event.toArtifactStatus)}
            </span>
            {stageRun && (
              <span
                className="ml-2 text-xs text-stone-600"
                data-testid="timeline-stage-run"
              >
                ({stageRun.stage} took {formatDuration(stageRun.ms)})
              </span>
            )}
            {event.workerId && (
              <span className="ml-2 text-xs text-stone-500">
                by {event.workerId}
              </span>
            )}
            {event.detail && (
              <p
                dir="auto"
                className="mt-0.5 text-xs wrap-anywhere whitespace-pre-wrap text-stone-600 [unicode-bidi:isolate]"
              >
                {event.detail}
              </p>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

function stateText(status: string, artifactStatus: string | null): string {
  return artifactStatus ? `${status} / media ${artifactStatus}` : status;
}

/**
 * Retry for a failed prompt; Requeue, after a confirmation, for a running
 * one (its stage is stopped and starts again). The server has the final
 * word.
 */
function RequeueButton({ prompt }: { prompt: PromptJson }) {
  const requeue = useRequeuePrompt();
  if (prompt.status !== "failed" && prompt.status !== "processing") {
    return null;
  }
  const isRetry = prompt.status === "failed";
  const onClick = () => {
    const question =
      `Stop prompt #${prompt.id}'s running stage and queue it again? ` +
      "What it has done so far in this stage is lost.";
    if (isRetry || window.confirm(question)) requeue.mutate(prompt.id);
  };
  return (
    <Button size="sm" disabled={requeue.isPending} onClick={onClick}>
      {requeue.isPending ? "Queueing…" : isRetry ? "Retry" : "Requeue"}
    </Button>
  );
}

/** Earlier writings and files, newest first, from re-writes and re-renders. */
function History(props: {
  promptId: number;
  entries: PromptHistoryEntryJson[];
}) {
  return (
    <ol data-testid="prompt-history" className="space-y-4">
      {props.entries.map(({ writing, artifacts }) => (
        <li
          key={writing.id}
          className="space-y-2 rounded-md border border-stone-200 p-3"
        >
          <p className="text-xs text-stone-500">
            {writing.format === "json" ? "Spec" : "Writing"} #{writing.id} by{" "}
            {writing.backend}, {formatDateTime(writing.createdAt)}
            {artifacts.length > 0 &&
              ` · ${artifacts.length} ${artifacts.length === 1 ? "file" : "files"}`}
          </p>
          <details>
            <summary className="cursor-pointer text-xs text-stone-600">
              Show {writing.format === "json" ? "spec" : "writing"}
            </summary>
            <WritingView writing={writing} />
          </details>
          {artifacts.map((artifact) => (
            <ArtifactView
              key={artifact.id}
              artifact={artifact}
              promptId={props.promptId}
            />
          ))}
        </li>
      ))}
    </ol>
  );
}

const cancellable = new Set([
  "unprocessed/-",
  "processing/-",
  "completed/pending",
  "processing/processing",
]);

/** Cancels after a confirmation: a running stage is stopped, not resumed. */
function CancelButton({ prompt }: { prompt: PromptJson }) {
  const cancel = useCancelPrompt();
  if (!cancellable.has(`${prompt.status}/${prompt.artifactStatus ?? "-"}`)) {
    return null;
  }
  const onClick = () => {
    const question =
      prompt.status === "processing"
        ? `Stop and cancel prompt #${prompt.id}? Its running stage is stopped.`
        : `Cancel prompt #${prompt.id}?`;
    if (window.confirm(question)) cancel.mutate(prompt.id);
  };
  return (
    <Button size="sm" disabled={cancel.isPending} onClick={onClick}>
      {cancel.isPending ? "Cancelling…" : "Cancel"}
    </Button>
  );
}

/** Stage 2's bar and where it runs, while it runs. */
function RenderProgress({ prompt }: { prompt: PromptJson }) {
  if (prompt.artifactStatus !== "processing") return null;
  const percent = prompt.progress ?? 0;
  return (
    <div className="space-y-1" data-testid="render-progress">
      <div
        role="progressbar"
        aria-label={`Rendering #${prompt.id}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        className="h-2 overflow-hidden rounded-full bg-stone-200"
      >
        <div
          className="h-full rounded-full bg-amber-500 transition-[width]"
          style={{ width: `${percent}%` }}
        />
      </div>
      <p className="text-xs text-stone-500">
        Rendering {percent}%
        {prompt.renderServer && (
          <>
            {" "}
            on <span className="font-mono">{prompt.renderServer}</span>
            {prompt.renderJobId && ` (job ${prompt.renderJobId})`}
          </>
        )}
      </p>
    </div>
  );
}
