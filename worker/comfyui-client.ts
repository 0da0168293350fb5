import { z } from "zod";
import { BackendError } from "../lib/errors";
import type { ApiGraph } from "./comfyui-workflows";
import { formatNodeErrors, type OutputFile } from "./comfyui-history";
import type { ObjectInfo } from "./comfyui-object-info";
import { openComfySocket, type ComfySocket } from "./comfyui-socket";

/** How long one HTTP request may take before the server counts as silent. */
const requestTimeoutMs = 30_000;
/** Output files can be large; their download gets longer. */
const downloadTimeoutMs = 5 * 60_000;

const queueSchema = z.object({
  queue_running: z.array(z.array(z.unknown())),
  queue_pending: z.array(z.array(z.unknown())),
});

const systemStatsSchema = z.object({
  system: z.looseObject({ comfyui_version: z.string().optional() }),
});

const objectInfoSchema = z.record(z.string(), z.unknown());

const refusalSchema = z.object({
  error: z
    .looseObject({ message: z.string().optional(), details: z.unknown() })
    .optional(),
  node_errors: z.record(z.string(), z.unknown()).optional(),
});

export type ComfyClient = ReturnType<typeof createComfyClient>;

/**
 * Talks to one ComfyUI server over its /api routes. Every failure is a
 * BackendError of the right kind: no connection or no answer is
 * unreachable, a 5xx is transient, a refused workflow is permanent.
 */
export function createComfyClient(url: string, clientId: string) {
  let socket: ComfySocket | null = null;
  const request = (route: string, init: RequestInit, timeoutMs?: number) =>
    send(url, route, init, timeoutMs);
  const post = async (route: string, body: unknown) => {
    const response = await request(route, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await expectOk(url, route, response);
    await response.body?.cancel();
  };
  /** The ids of the job running and of those waiting. */
  const readQueue = async (signal?: AbortSignal) => {
    const body = await getJson(url, "/api/queue", signal);
    const queue = queueSchema.safeParse(body);
    if (!queue.success) throw malformed(url, "/api/queue");
    const ids = (items: unknown[][]) => items.map((item) => item[1]);
    return {
      running: ids(queue.data.queue_running),
      pending: ids(queue.data.queue_pending),
    };
  };

  return {
    url,
    clientId,

    /** Queues the graph under our own prompt id. */
    async submit(jobId: string, graph: ApiGraph, signal?: AbortSignal) {
      const body = { prompt: graph, prompt_id: jobId, client_id: clientId };
      const response = await request("/api/prompt", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal,
      });
      if (response.status === 400) throw await refusal(response);
      await expectOk(url, "/api/prompt", response);
      await response.body?.cancel();
    },

    /** The job's history entry, or null while it runs or when unknown. */
    async history(jobId: string, signal?: AbortSignal): Promise<unknown> {
      const route = `/api/history/${encodeURIComponent(jobId)}`;
      const body = await getJson(url, route, signal);
      return (body as Record<string, unknown>)?.[jobId] ?? null;
    },

    /** Whether the job waits in the queue or runs now. */
    async isQueued(jobId: string, signal?: AbortSignal): Promise<boolean> {
      const { running, pending } = await readQueue(signal);
      return running.includes(jobId) || pending.includes(jobId);
    },

    /** Stops the job if it runs and drops it if it waits. */
    async cancel(jobId: string) {
      await post("/api/interrupt", { prompt_id: jobId });
      await post("/api/queue", { delete: [jobId] });
    },

    /**
     * Stops a job nobody follows any more, looking first where it is: an
     * interrupt goes out only while the job runs, since a ComfyUI that
     * ignores the prompt id would stop whatever runs.
     */
    async stopIfPresent(
      jobId: string,
    ): Promise<"interrupted" | "dropped" | "absent"> {
      const { running, pending } = await readQueue();
      if (running.includes(jobId)) {
        await post("/api/interrupt", { prompt_id: jobId });
        return "interrupted";
      }
      if (pending.includes(jobId)) {
        await post("/api/queue", { delete: [jobId] });
        return "dropped";
      }
      return "absent";
    },

    // LIMIT: a file is held in memory whole; fine for images and songs,
    // revisit before long videos.
    /** An output file's bytes. */
    async download(file: OutputFile, signal?: AbortSignal): Promise<Buffer> {
      const query = new URLSearchParams({
        filename: file.filename,
        subfolder: file.subfolder,
        type: file.type,
      });
      const route = `/api/view?${query}`;
      const init = { signal };
      const response = await request(route, init, downloadTimeoutMs);
      await expectOk(url, "/api/view", response);
      return Buffer.from(await response.arrayBuffer());
    },

    /** The server's version; throws when it does not answer. */
    async systemStats(signal?: AbortSignal): Promise<{ version: string }> {
      const body = await getJson(url, "/api/system_stats", signal);
      const stats = systemStatsSchema.safeParse(body);
      if (!stats.success) throw malformed(url, "/api/system_stats");
      return { version: stats.data.system.comfyui_version ?? "unknown" };
    },

    /** Every node class the server has, with its inputs: a large answer. */
    async objectInfo(signal?: AbortSignal): Promise<ObjectInfo> {
      const body = await getJson(url, "/api/object_info", signal);
      const info = objectInfoSchema.safeParse(body);
      if (!info.success) throw malformed(url, "/api/object_info");
      return info.data;
    },

    /** The one progress socket to this server, opened on first use. */
    socket(): ComfySocket {
      socket ??= openComfySocket(url, clientId);
      return socket;
    },

    close() {
      socket?.close();
      socket = null;
    },
  };
}

async function send(
  url: string,
  route: string,
  init: RequestInit,
  timeoutMs = requestTimeoutMs,
): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = init.signal
    ? AbortSignal.any([init.signal, timeout])
    : timeout;
  try {
    return await fetch(`${url}${route}`, { ...init, signal });
  } catch (error) {
    if (init.signal?.aborted) throw init.signal.reason;
    throw new BackendError("unreachable", `ComfyUI unreachable at ${url}`, {
      cause: error,
    });
  }
}

async function getJson(url: string, route: string, signal?: AbortSignal) {
  const response = await send(url, route, { signal });
  await expectOk(url, route.split("?")[0], response);
  try {
    return (await response.json()) as unknown;
  } catch (error) {
    throw malformed(url, route, error);
  }
}

/** Throws for an error status; an OK body is left to the caller. */
async function expectOk(url: string, route: string, response: Response) {
  if (response.ok) return;
  const text = (await response.text().catch(() => "")).slice(0, 200);
  const kind = response.status >= 500 || response.status === 404;
  throw new BackendError(
    kind ? "transient" : "permanent",
    `ComfyUI at ${url} answered ${response.status} to ${route}` +
      (text ? `: ${text}` : ""),
  );
}

function malformed(url: string, route: string, cause?: unknown) {
  return new BackendError(
    "transient",
    `ComfyUI at ${url} sent an answer to ${route} that Poets cannot read`,
    { cause },
  );
}

/** A 400 to a submission: ComfyUI refused the workflow itself. */
async function refusal(response: Response): Promise<BackendError> {
  const body = refusalSchema.safeParse(await response.json().catch(() => ({})));
  const data = body.success ? body.data : {};
  const nodes = formatNodeErrors(data.node_errors ?? {});
  const top = [data.error?.message, data.error?.details]
    .filter((part) => typeof part === "string" && part)
    .join(": ");
  return new BackendError(
    "permanent",
    `ComfyUI refused the workflow: ${nodes || top || "no reason given"}`,
  );
}
