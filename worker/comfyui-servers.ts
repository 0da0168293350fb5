import type { RenderServerChoice } from "../db/claims";
import type { Db } from "../db/client";
import { recordServerCheck } from "../db/render-servers";
import type { Logger } from "../lib/log";
import { createComfyClient, type ComfyClient } from "./comfyui-client";

export type ServerPoolOptions = {
  db: Db;
  urls: readonly string[];
  /** Jobs each server takes at once (COMFYUI_JOBS_PER_SERVER). */
  capacity: number;
  healthMs: number;
  workerId: string;
  log: Logger;
};

type ServerState = {
  client: ComfyClient;
  healthy: boolean;
  lastError: string | null;
};

export type ServerPool = ReturnType<typeof createServerPool>;

/**
 * The ComfyUI servers as this worker sees them: probed every healthMs on
 * /api/system_stats, each probe recorded for the admin page, and the
 * latest view offered to render claims.
 */
export function createServerPool(options: ServerPoolOptions) {
  const { db, urls, healthMs, workerId, log } = options;
  // One client id per worker: ComfyUI sends a job's events to that socket.
  const clientId = `poets-${workerId}`;
  const servers = new Map<string, ServerState>(
    urls.map((url) => [
      url,
      {
        client: createComfyClient(url, clientId),
        healthy: false,
        lastError: "not checked yet",
      },
    ]),
  );
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;

  const record = (url: string, state: ServerState, version: string | null) => {
    try {
      recordServerCheck(db, {
        url,
        healthy: state.healthy,
        lastError: state.lastError,
        version,
        checkedBy: workerId,
      });
    } catch (error) {
      log.warn({ err: error, url }, "cannot record a ComfyUI check");
    }
  };

  const probe = async (url: string, state: ServerState) => {
    const signal = AbortSignal.any([
      stop.signal,
      AbortSignal.timeout(Math.max(healthMs, 1000)),
    ]);
    try {
      const { version } = await state.client.systemStats(signal);
      if (!state.healthy) log.info({ url, version }, "ComfyUI server healthy");
      Object.assign(state, { healthy: true, lastError: null });
      record(url, state, version);
    } catch (error) {
      if (stop.signal.aborted) return;
      markUnhealthy(url, state, (error as Error).message);
    }
  };

  const markUnhealthy = (url: string, state: ServerState, reason: string) => {
    if (state.healthy) log.warn({ url, reason }, "ComfyUI server unhealthy");
    Object.assign(state, { healthy: false, lastError: reason });
    record(url, state, null);
  };

  const probeAll = () =>
    Promise.all([...servers].map(([url, state]) => probe(url, state)));

  const schedule = () => {
    if (stop.signal.aborted) return;
    timer = setTimeout(() => void probeAll().finally(schedule), healthMs);
  };

  return {
    /** Probes every server once, then keeps probing in the background. */
    async start() {
      await probeAll();
      schedule();
    },

    /** What a render claim may choose from, as last seen. */
    choices(): RenderServerChoice[] {
      return [...servers].map(([url, state]) => ({
        url,
        capacity: options.capacity,
        healthy: state.healthy,
      }));
    },

    client(url: string): ComfyClient {
      const state = servers.get(url);
      if (!state) throw new Error(`${url} is not one of COMFYUI_URL`);
      return state.client;
    },

    /** A job found the server down: stop sending it work until it answers. */
    markUnreachable(url: string, reason: string) {
      const state = servers.get(url);
      if (state) markUnhealthy(url, state, reason);
    },

    close() {
      stop.abort();
      clearTimeout(timer);
      for (const state of servers.values()) state.client.close();
    },
  };
}
