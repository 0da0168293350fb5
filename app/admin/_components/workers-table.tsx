"use client";

import { formatAge, formatDateTime } from "@/components/format";
import type { ReactNode } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import {
  cardInset,
  cardTitleClasses,
  flushCardClasses,
  sectionLabelClasses,
} from "@/components/ui/card";
import type { WorkerJson, WorkerState } from "@/lib/api-types";
import { useHealth } from "@/lib/client/health";
import { useNow } from "@/lib/client/use-now";

const stateTones: Record<WorkerState, BadgeTone> = {
  alive: "success",
  dead: "danger",
  stopped: "muted",
};

const stateHints: Record<WorkerState, string> = {
  alive: "",
  dead: "no heartbeat, never said it stopped: crashed or killed",
  stopped: "shut down cleanly",
};

const processGoneHint = "its process is gone: crashed or killed";

/**
 * Every worker seen in the last day; dead ones say so in words. One table:
 * from md up its columns fit the page (host, pid, version and start share
 * one Process cell, the database path wraps); below md each row stacks as a
 * card of labelled facts, so nothing scrolls sideways on a phone.
 */
export function WorkersTable() {
  const { data } = useHealth();
  const nowMs = useNow(2000);
  if (!data) return null;

  return (
    <section
      data-testid="workers-table"
      aria-labelledby="workers-heading"
      className={flushCardClasses}
    >
      <h2
        id="workers-heading"
        className={`${cardInset} pt-5 pb-4 sm:pt-6 ${cardTitleClasses}`}
      >
        Workers <span className="font-normal text-stone-500">(last day)</span>
      </h2>
      {data.workers.length === 0 ? (
        <p className={`${cardInset} pb-5 text-sm text-stone-500 sm:pb-6`}>
          No worker has registered with this database.
        </p>
      ) : (
        <table
          aria-labelledby="workers-heading"
          className="block w-full table-fixed text-left text-sm md:table"
        >
          <thead className="hidden md:table-header-group">
            <tr className={`border-y border-stone-100 ${sectionLabelClasses}`}>
              {columns.map(({ heading, width }) => (
                <th
                  key={heading}
                  scope="col"
                  className={`py-2 pr-4 font-semibold first:pl-6 last:pr-6 ${width}`}
                >
                  {heading}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="block divide-y divide-stone-100 border-t border-stone-100 md:table-row-group md:border-t-0">
            {data.workers.map((worker) => (
              <WorkerRow key={worker.id} worker={worker} nowMs={nowMs} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const columns = [
  { heading: "Worker", width: "w-[16%]" },
  { heading: "State", width: "w-[9%]" },
  { heading: "Heartbeat", width: "w-[11%]" },
  { heading: "Process", width: "w-[22%]" },
  { heading: "Working on", width: "w-[12%]" },
  { heading: "Database file", width: "" },
];

// Below md a cell is a row of the card: its label, then its value.
const cellClasses =
  "grid grid-cols-[7rem_1fr] gap-2 py-0.5 md:table-cell md:py-3 md:pr-4 md:align-top md:first:pl-6 md:last:pr-6";

function Cell(props: {
  label: string;
  valueClassName?: string;
  title?: string;
  children: ReactNode;
}) {
  return (
    <td className={cellClasses} title={props.title}>
      <span aria-hidden="true" className="text-stone-500 md:hidden">
        {props.label}
      </span>
      <span className={`min-w-0 ${props.valueClassName ?? ""}`}>
        {props.children}
      </span>
    </td>
  );
}

function WorkerRow(props: { worker: WorkerJson; nowMs: number }) {
  const { worker } = props;
  return (
    <tr
      data-testid="worker-row"
      data-state={worker.state}
      className={`block px-5 py-4 sm:px-6 md:table-row md:p-0 ${worker.state === "dead" ? "bg-rose-50/60" : ""}`}
    >
      <Cell
        label="Worker"
        valueClassName="font-mono text-xs leading-5 break-all"
      >
        {worker.id}
      </Cell>
      <Cell label="State">
        <Badge
          tone={stateTones[worker.state]}
          title={
            worker.processGone ? processGoneHint : stateHints[worker.state]
          }
        >
          {worker.state}
        </Badge>
      </Cell>
      <Cell label="Heartbeat" title={formatDateTime(worker.lastHeartbeatAt)}>
        {formatAge(worker.lastHeartbeatAt, props.nowMs)}
      </Cell>
      <Cell label="Process">
        <span className="block">
          {worker.host} (pid {worker.pid}) · v{worker.version}
        </span>
        <span className="block text-xs text-stone-500">
          started {formatDateTime(worker.startedAt)}
        </span>
      </Cell>
      <Cell label="Working on">{currentWork(worker)}</Cell>
      <Cell
        label="Database file"
        valueClassName="font-mono text-xs leading-5 break-all"
      >
        {worker.dbPath}
      </Cell>
    </tr>
  );
}

/** A dead worker's last prompt has since gone back to the queue. */
function currentWork(worker: {
  state: WorkerState;
  currentPromptId: number | null;
}) {
  if (worker.currentPromptId === null) return "nothing";
  if (worker.state === "alive") return `#${worker.currentPromptId}`;
  return `last: #${worker.currentPromptId}`;
}
