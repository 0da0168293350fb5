"use client";

import type { ReactNode } from "react";
import {
  formatAge,
  formatBytes,
  formatDateTime,
  formatElapsed,
} from "@/components/format";
import { Badge } from "@/components/ui/badge";
import { useHealth } from "@/lib/client/health";
import { useStats } from "@/lib/client/stats";
import { useNow } from "@/lib/client/use-now";
import {
  workerLivenessOf,
  type WorkerLiveness,
} from "@/lib/client/worker-liveness";
import {
  cardClasses,
  cardTitleClasses,
  sectionLabelClasses,
} from "@/components/ui/card";

/** The database this app uses and the worker it sees, side by side. */
export function HealthPanel() {
  const health = useHealth();
  const stats = useStats();
  const nowMs = useNow(2000);
  const data = health.data;
  const worker =
    stats.data?.worker && stats.data.worker.id === data?.worker?.id
      ? stats.data.worker
      : null;
  const liveness = workerLivenessOf(
    data?.worker ? { ...data.worker, stoppedAt: worker?.stoppedAt } : null,
    nowMs,
  );
  const isOtherFile =
    data?.worker != null && data.worker.dbPath !== data.db.path;

  return (
    <section data-testid="health-panel" className={cardClasses}>
      <div className="mb-4 flex items-center gap-2">
        <h2 className={cardTitleClasses}>Health</h2>
        {health.isError ? (
          <Badge tone="danger" data-testid="health-ok">
            unreachable
          </Badge>
        ) : (
          data && (
            <Badge
              tone={data.ok ? "success" : "danger"}
              data-testid="health-ok"
            >
              {data.ok ? "ok" : "not ok"}
            </Badge>
          )
        )}
      </div>
      {health.isPending && <p className="text-sm text-stone-500">Loading…</p>}
      {health.isError && (
        <p role="alert" className="mb-3 text-sm font-medium text-rose-700">
          Cannot reach /api/health
          {data &&
            `; below is its last answer, from ${formatDateTime(new Date(health.dataUpdatedAt).toISOString())}`}
          .
        </p>
      )}
      {data && (
        <div className="grid gap-6 md:grid-cols-2">
          <Facts title="Web app database">
            <Fact label="File" value={data.db.path} mono />
            <Fact label="Journal mode" value={data.db.journalMode} />
            <Fact label="WAL size" value={formatBytes(data.db.walBytes)} />
            <Fact
              label="Checkpoint"
              value={
                data.db.lastCheckpointAt
                  ? formatDateTime(data.db.lastCheckpointAt)
                  : "none by the app since it started"
              }
            />
          </Facts>
          <Facts title="Worker" testId="worker-panel">
            {data.worker ? (
              <>
                <Fact label="Id" value={data.worker.id} mono />
                <Fact
                  label="Alive"
                  value={aliveText(liveness)}
                  warn={liveness.state !== "alive"}
                />
                <Fact
                  label="Heartbeat"
                  value={`${formatAge(data.worker.lastHeartbeatAt)} (${formatDateTime(data.worker.lastHeartbeatAt)})`}
                />
                <Fact
                  label="Database file"
                  value={data.worker.dbPath}
                  mono
                  warn={isOtherFile}
                />
                {worker && (
                  <>
                    <Fact
                      label="Host"
                      value={`${worker.host} (pid ${worker.pid})`}
                    />
                    <Fact label="Version" value={worker.version} />
                    <Fact
                      label="Started"
                      value={formatDateTime(worker.startedAt)}
                    />
                    <Fact
                      label="Working on"
                      value={
                        worker.currentPromptId === null
                          ? "nothing"
                          : `#${worker.currentPromptId}`
                      }
                    />
                  </>
                )}
              </>
            ) : (
              <p className="text-sm text-stone-500">
                No worker has registered with this database.
              </p>
            )}
          </Facts>
        </div>
      )}
    </section>
  );
}

function aliveText(liveness: WorkerLiveness): string {
  if (liveness.state === "none") return "no";
  if (liveness.state === "alive") return "yes";
  if (liveness.state === "stopped") return "no, it stopped";
  if (liveness.state === "gone") return "no, its process is gone";
  return `not seen for ${formatElapsed(liveness.ageMs)}`;
}

function Facts(props: { title: string; testId?: string; children: ReactNode }) {
  return (
    <div data-testid={props.testId}>
      <h3 className={`mb-2 ${sectionLabelClasses}`}>{props.title}</h3>
      <dl className="space-y-1 text-sm">{props.children}</dl>
    </div>
  );
}

function Fact(props: {
  label: string;
  value: string;
  mono?: boolean;
  warn?: boolean;
}) {
  return (
    <div className="flex gap-2">
      <dt className="w-28 shrink-0 text-stone-500">{props.label}</dt>
      <dd
        // Paths and ids may break anywhere; words and times only between
        // words, so "PM" stays whole.
        className={`min-w-0 ${props.mono ? "font-mono text-xs leading-5 break-all" : "wrap-break-word"} ${props.warn ? "font-semibold text-rose-700" : "text-stone-900"}`}
      >
        {props.value}
      </dd>
    </div>
  );
}
