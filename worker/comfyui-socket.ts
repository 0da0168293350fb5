import WebSocket from "ws";

/** What the socket says about one job: how far it is, or that it ended. */
export type JobEvent =
  { type: "progress"; percent: number } | { type: "ended" };

type Listener = (event: JobEvent) => void;

export type ComfySocket = {
  /** Listens for one job's events; returns the function that stops it. */
  watch(jobId: string, listener: Listener): () => void;
  close(): void;
};

const reconnectMs = 1000;
const endEvents = new Set([
  "execution_success",
  "execution_error",
  "execution_interrupted",
]);

/**
 * ComfyUI's /ws progress feed for our client id. Only a hint: it can go
 * silent on long runs, so the renderer polls history regardless and a
 * broken socket is simply opened again while someone listens.
 */
export function openComfySocket(url: string, clientId: string): ComfySocket {
  const address =
    url.replace(/^http/, "ws") + `/ws?clientId=${encodeURIComponent(clientId)}`;
  const listeners = new Map<string, Set<Listener>>();
  let socket: WebSocket | null = null;
  let retry: NodeJS.Timeout | undefined;
  let isClosed = false;

  const connect = () => {
    retry = undefined;
    socket = new WebSocket(address);
    socket.on("message", (data, isBinary) => {
      if (!isBinary) dispatch(listeners, String(data));
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      socket = null;
      if (isClosed || listeners.size === 0) return;
      retry = setTimeout(connect, reconnectMs);
      retry.unref();
    });
  };

  return {
    watch(jobId, listener) {
      const set = listeners.get(jobId) ?? new Set();
      listeners.set(jobId, set.add(listener));
      if (!socket && !retry) connect();
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(jobId);
      };
    },
    close() {
      isClosed = true;
      clearTimeout(retry);
      socket?.terminate();
    },
  };
}

function dispatch(listeners: Map<string, Set<Listener>>, text: string) {
  let message: { type?: unknown; data?: Record<string, unknown> };
  try {
    message = JSON.parse(text) as typeof message;
  } catch {
    return; // Not one of ComfyUI's JSON messages; nothing to follow.
  }
  const data = message.data ?? {};
  const jobId = typeof data.prompt_id === "string" ? data.prompt_id : null;
  const event = jobId ? toJobEvent(String(message.type), data) : null;
  if (!jobId || !event) return;
  for (const listener of listeners.get(jobId) ?? []) listener(event);
}

function toJobEvent(
  type: string,
  data: Record<string, unknown>,
): JobEvent | null {
  if (endEvents.has(type)) return { type: "ended" };
  if (type === "executing" && data.node === null) return { type: "ended" };
  if (type === "progress") {
    return percentOf([data]);
  }
  if (
    type === "progress_state" &&
    data.nodes &&
    typeof data.nodes === "object"
  ) {
    return percentOf(Object.values(data.nodes));
  }
  return null;
}

/** Steps done over steps in all, across the nodes that report progress. */
function percentOf(nodes: unknown[]): JobEvent | null {
  let value = 0;
  let max = 0;
  for (const node of nodes as { value?: unknown; max?: unknown }[]) {
    if (typeof node?.value !== "number" || typeof node.max !== "number") {
      continue;
    }
    value += node.value;
    max += node.max;
  }
  if (max <= 0) return null;
  return { type: "progress", percent: (100 * value) / max };
}
