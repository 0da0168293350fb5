import type { Db } from "@/db/client";
import { listRenderServers } from "@/db/render-servers";
import type { BackendsJson, RenderServerJson } from "@/lib/api-types";
import type { Config } from "@/lib/config";

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

/** A URL as people may see it: any user name or password left out. */
export function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  return parsed.toString().replace(/\/+$/, "");
}

/**
 * The configured backends, with each ComfyUI server's last check. A check
 * older than three probe intervals is "unknown": no worker is probing.
 */
export function backendsJson(
  db: Db,
  config: Config,
  nowMs: number,
): BackendsJson {
  const writer: BackendsJson["writer"] =
    config.LLM_BASE_URL && config.LLM_MODEL
      ? {
          kind: "llm",
          baseUrl: withoutCredentials(config.LLM_BASE_URL),
          model: config.LLM_MODEL,
        }
      : { kind: "builtin" };
  if (!config.COMFYUI_URL) return { writer, renderer: { kind: "builtin" } };

  const staleMs = config.COMFYUI_HEALTH_MS * 3;
  const servers = listRenderServers(db, config.COMFYUI_URL).map(
    ({ url, state }): RenderServerJson => {
      const isFresh =
        state !== null && nowMs - state.checkedAt.getTime() <= staleMs;
      return {
        url: withoutCredentials(url),
        health: !isFresh ? "unknown" : state.healthy ? "healthy" : "unhealthy",
        lastError: state?.lastError ?? null,
        workflowProblems: state?.workflowProblems ?? null,
        version: state?.version ?? null,
        checkedAt: iso(state?.checkedAt),
        changedAt: iso(state?.changedAt),
        capacity: config.COMFYUI_JOBS_PER_SERVER,
        rendering: state?.rendering ?? [],
      };
    },
  );
  return { writer, renderer: { kind: "comfyui", servers } };
}

/**
 * What health should say about the render servers, if anything: none
 * answers, or one answers but cannot run a workflow (one line each).
 */
export function findBackendProblems(backends: BackendsJson): string[] {
  if (backends.renderer.kind !== "comfyui") return [];
  const { servers } = backends.renderer;
  if (servers.every((server) => server.health === "unhealthy")) {
    return [
      `No ComfyUI server answers (${servers.map((s) => s.url).join(", ")}): ` +
        "stage 2 waits until one does.",
    ];
  }
  return servers.flatMap(({ url, health, workflowProblems: problems }) =>
    health === "healthy" && problems?.length
      ? [
          `ComfyUI at ${url} cannot run every workflow, so renders sent to ` +
            `it fail: ${problems.join("; ")}`,
        ]
      : [],
  );
}
