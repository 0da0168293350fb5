"use client";

import { formatAge, formatDateTime } from "@/components/format";
import { Badge, type BadgeTone } from "@/components/ui/badge";
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

/** Every worker seen in the last day; dead ones say so in words. */
export function WorkersTable() {
  const { data } = useHealth();
  const nowMs = useNow(2000);
  if (!data) return null;

  return (
    <section
      data-testid="workers-table"
      className="rounded-xl border border-stone-200 bg-white shadow-sm"
    >
      <h2
        id="workers-heading"
        className="border-b border-stone-100 px-5 py-3 text-base font-semibold"
      >
        Workers <span className="font-normal text-stone-500">(last day)</span>
      </h2>
      {data.workers.length === 0 ? (
        <p className="px-5 py-4 text-sm text-stone-500">
          No worker has registered with this database.
        </p>
      ) : (
        // Focusable so that a keyboard can scroll a table wider than a phone.
        <div
          role="region"
          aria-labelledby="workers-heading"
          tabIndex={0}
          className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-teal-600"
        >
          <table className="w-full text-left text-sm">
            <thead className="text-xs tracking-wide text-stone-500 uppercase">
              <tr>
                {headings.map((heading) => (
                  <th
                    key={heading}
                    scope="col"
                    className="px-5 py-2 whitespace-nowrap"
                  >
                    {heading}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-stone-100">
              {data.workers.map((worker) => (
                <WorkerRow key={worker.id} worker={worker} nowMs={nowMs} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const headings = [
  "Worker",
  "State",
  "Heartbeat",
  "Host",
  "Version",
  "Started",
  "Working on",
  "Database file",
];

function WorkerRow(props: { worker: WorkerJson; nowMs: number }) {
  const { worker } = props;
  return (
    <tr
      data-testid="worker-row"
      data-state={worker.state}
      className={worker.state === "dead" ? "bg-rose-50/60" : ""}
    >
      <td className="px-5 py-2 font-mono text-xs whitespace-nowrap">
        {worker.id}
      </td>
      <td className="px-5 py-2">
        <Badge
          tone={stateTones[worker.state]}
          title={
            worker.processGone ? processGoneHint : stateHints[worker.state]
          }
        >
          {worker.state}
        </Badge>
      </td>
      <td
        className="px-5 py-2 whitespace-nowrap"
        title={formatDateTime(worker.lastHeartbeatAt)}
      >
        {formatAge(worker.lastHeartbeatAt, props.nowMs)}
      </td>
      <td className="px-5 py-2 whitespace-nowrap">
        {worker.host} (pid {worker.pid})
      </td>
      <td className="px-5 py-2">{worker.version}</td>
      <td className="px-5 py-2 whitespace-nowrap">
        {formatDateTime(worker.startedAt)}
      </td>
      <td className="px-5 py-2">{currentWork(worker)}</td>
      <td className="px-5 py-2 font-mono text-xs break-all">{worker.dbPath}</td>
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
