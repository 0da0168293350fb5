"use client";

import { formatAge, formatDateTime } from "@/components/format";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { BackendsJson, RenderServerJson } from "@/lib/api-types";
import { useHealth } from "@/lib/client/health";
import { useNow } from "@/lib/client/use-now";
import { cardClasses, cardTitleClasses } from "@/components/ui/card";

const healthTones: Record<RenderServerJson["health"], BadgeTone> = {
  healthy: "success",
  unhealthy: "danger",
  unknown: "muted",
};

/** Which model server writes and which ComfyUI servers render, and how. */
export function BackendsPanel() {
  const { data } = useHealth();
  const nowMs = useNow(2000);
  if (!data) return null;
  const { writer, renderer } = data.backends;

  return (
    <section
      data-testid="backends-panel"
      aria-labelledby="backends-heading"
      className={cardClasses}
    >
      <h2 id="backends-heading" className={`mb-4 ${cardTitleClasses}`}>
        Backends
      </h2>
      <dl className="grid gap-x-2 gap-y-1 text-sm sm:grid-cols-[7rem_1fr]">
        <dt className="text-stone-500">Writing</dt>
        <dd data-testid="writer-backend">{describeWriter(writer)}</dd>
        <dt className="text-stone-500">Rendering</dt>
        <dd data-testid="renderer-backend">
          {renderer.kind === "builtin"
            ? "Built-in renderers (PNG and WAV); set COMFYUI_URL for real media"
            : `ComfyUI, ${renderer.servers.length} server${renderer.servers.length === 1 ? "" : "s"}`}
        </dd>
      </dl>
      {renderer.kind === "comfyui" && (
        <ul className="mt-4 divide-y divide-stone-100 rounded-lg border border-stone-200">
          {renderer.servers.map((server) => (
            <ServerItem key={server.url} server={server} nowMs={nowMs} />
          ))}
        </ul>
      )}
    </section>
  );
}

function describeWriter(writer: BackendsJson["writer"]): string {
  return writer.kind === "llm"
    ? `${writer.model} at ${writer.baseUrl}`
    : "Built-in writer; set LLM_BASE_URL and LLM_MODEL for real writing";
}

function ServerItem(props: { server: RenderServerJson; nowMs: number }) {
  const { server, nowMs } = props;
  return (
    <li
      data-testid="render-server"
      data-health={server.health}
      className="flex flex-wrap items-baseline gap-x-3 gap-y-1 px-4 py-3 text-sm"
    >
      <span className="font-mono text-xs break-all">{server.url}</span>
      <Badge tone={healthTones[server.health]}>{server.health}</Badge>
      {server.version && (
        <span className="text-stone-500">ComfyUI {server.version}</span>
      )}
      <span className="text-stone-500">
        {server.rendering.length}/{server.capacity} busy
        {server.rendering.length > 0 &&
          `: ${server.rendering.map((job) => `#${job.promptId}`).join(", ")}`}
      </span>
      {server.checkedAt && (
        <span
          className="text-stone-500"
          title={formatDateTime(server.checkedAt)}
        >
          checked {formatAge(server.checkedAt, nowMs)}
        </span>
      )}
      {server.health !== "healthy" && (
        <p className="basis-full text-rose-700">
          {server.health === "unknown"
            ? "No worker has checked this server lately."
            : server.lastError}
          {server.changedAt &&
            server.health === "unhealthy" &&
            ` (since ${formatDateTime(server.changedAt)})`}
        </p>
      )}
      {server.health === "healthy" && server.workflowProblems?.length ? (
        <WorkflowProblems problems={server.workflowProblems} />
      ) : null}
    </li>
  );
}

/** Why a server that answers cannot run every workflow template. */
function WorkflowProblems(props: { problems: string[] }) {
  return (
    <div data-testid="workflow-problems" className="basis-full text-amber-800">
      <p>Cannot run every workflow; renders sent here will fail:</p>
      <ul className="list-disc pl-5">
        {props.problems.map((problem) => (
          <li key={problem} className="break-words">
            {problem}
          </li>
        ))}
      </ul>
    </div>
  );
}
