import type { RenderServerChoice } from "../db/claims";
import type { Db } from "../db/client";
import {
  recordServerCheck,
  recordWorkflowProblems,
} from "../db/render-servers";
import {
  forgetJobStop,
  forgetStaleJobStops,
  listJobStops,
} from "../db/render-job-stops";
import type { Logger } from "../lib/log";
import { createComfyClient, type ComfyClient } from "./comfyui-client";
import { findWorkflowProblems } from "./comfyui-object-info";
import type { Workflow } from "./comfyui-workflows";

/**
 * How long until a server's workflows are checked again, whatever the last
 * check found: ComfyUI rescans its model folders on each /object_info, so
 * a checkpoint copied in or removed later shows without a restart.
 */
const workflowRecheckMs = 5 * 60_000;

export type ServerPoolOptions = {
  db: Db;
  urls: readonly string[];
  /** Jobs each server takes at once (COMFYUI_JOBS_PER_SERVER). */
  capacity: number;
  healthMs: number;
  workerId: string;
  log: Logger;
  /** The templates each server is checked against when it turns healthy. */
  workflows: readonly Workflow[];
  recheckMs?: number;
};

type ServerState = {
  client: ComfyClient;
  healthy: boolean;
  lastError: string | null;
  /** Bumped each time the server turns healthy or unhealthy. */
  turn: number;
  /** The last workflow check's problems; null until one succeeds. */
  problems: string[] | null;
  checkDueAtMs: number;
  isChecking: boolean;
  isStopping: boolean;
};

export type ServerPool = ReturnType<typeof createServerPool>;

/**
 * The ComfyUI servers as this worker sees them: probed every healthMs on
 * /api/system_stats, each probe recorded for the admin page, and the
 * latest view offered to render claims. A server that turns healthy is
 * checked against the workflow templates (see checkWorkflows).
 */
export function createServerPool(options: ServerPoolOptions) {
  const { db, urls, healthMs, workerId, log, workflows } = options;
  const recheckMs = options.recheckMs ?? workflowRecheckMs;
  // One client id per worker: ComfyUI sends a job's events to that socket.
  const clientId = `poets-${workerId}`;
  const servers = new Map<string, ServerState>(
    urls.map((url) => [
      url,
      {
        client: createComfyClient(url, clientId),
        healthy: false,
        lastError: "not checked yet",
        turn: 0,
        problems: null,
        checkDueAtMs: 0,
        isChecking: false,
        isStopping: false,
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
        // An unhealthy server's problems are forgotten: it is checked
        // again when it comes back, perhaps as another ComfyUI.
        ...(state.healthy ? {} : { workflowProblems: null }),
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
      if (!state.healthy) {
        log.info({ url, version }, "ComfyUI server healthy");
        Object.assign(state, { turn: state.turn + 1, checkDueAtMs: 0 });
      }
      Object.assign(state, { healthy: true, lastError: null });
      record(url, state, version);
    } catch (error) {
      if (stop.signal.aborted) return;
      markUnhealthy(url, state, (error as Error).message);
      return;
    }

    // Not awaited: /object_info is large and slow, and probes keep time.
    if (Date.now() >= state.checkDueAtMs) void checkWorkflows(url, state);
    void stopUnwantedJobs(url, state);
  };

  /**
   * Stops the jobs Poets asked to stop on this server (db/render-job-stops):
   * a prompt cancelled or requeued while no worker followed its job, or
   * moved here from a server that was down. Each stop is forgotten once
   * done; one the server fails is tried again at the next probe.
   */
  const stopUnwantedJobs = async (url: string, state: ServerState) => {
    if (state.isStopping) return;
    state.isStopping = true;
    try {
      for (const stop of listJobStops(db, url)) {
        const outcome = await state.client.stopIfPresent(stop.jobId);
        forgetJobStop(db, stop);
        if (outcome !== "absent") {
          const { jobId, promptId, reason } = stop;
          log.info(
            { url, jobId, promptId, reason, outcome },
            "stopped a ComfyUI job Poets no longer wants",
          );
        }
      }
    } catch (error) {
      if (!stop.signal.aborted) {
        log.warn({ err: error, url }, "cannot stop unwanted ComfyUI jobs");
      }
    } finally {
      state.isStopping = false;
    }
  };

  const markUnhealthy = (url: string, state: ServerState, reason: string) => {
    // Said once when it turns unhealthy, and at the first probe.
    if (state.healthy || state.turn === 0) {
      log.warn({ url, reason }, "ComfyUI server unhealthy");
      Object.assign(state, { turn: state.turn + 1, problems: null });
    }
    Object.assign(state, { healthy: false, lastError: reason });
    record(url, state, null);
  };

  // Design: problems are reported, not routed around. The server stays
  // healthy and claims may still send it every media type: a render claim
  // picks its server before it knows the prompt's type (db/claims.ts), and
  // a check that is wrong would hold work back for no reason. A job it
  // cannot run fails with ComfyUI's own node_errors, as before; health and
  // the admin page name the problem before that happens.
  /**
   * Checks the templates against the server's /object_info and records
   * what it cannot run. A failed check leaves health alone and is tried
   * again in recheckMs.
   */
  const checkWorkflows = async (url: string, state: ServerState) => {
    if (state.isChecking) return;
    const { turn } = state;
    state.isChecking = true;
    try {
      const info = await state.client.objectInfo(stop.signal);
      if (state.turn !== turn) return;
      const problems = findWorkflowProblems(workflows, info);
      // Checked again even when all was well: a checkpoint can be removed
      // from a server that stays up.
      state.checkDueAtMs = Date.now() + recheckMs;
      reportProblems(url, state, problems);
    } catch (error) {
      if (stop.signal.aborted) return;
      state.checkDueAtMs = Date.now() + recheckMs;
      log.warn({ err: error, url }, "cannot check the workflows on ComfyUI");
    } finally {
      state.isChecking = false;
    }
  };

  const reportProblems = (
    url: string,
    state: ServerState,
    problems: string[],
  ) => {
    const isNew = JSON.stringify(problems) !== JSON.stringify(state.problems);
    state.problems = problems;
    if (isNew && problems.length > 0) {
      log.warn({ url, problems }, "ComfyUI server cannot run every workflow");
    } else if (isNew) {
      log.info({ url }, "ComfyUI server can run the workflows");
    }
    try {
      recordWorkflowProblems(db, url, problems);
    } catch (error) {
      log.warn({ err: error, url }, "cannot record a ComfyUI workflow check");
    }
  };

  const probeAll = () => {
    try {
      forgetStaleJobStops(db);
    } catch (error) {
      log.warn({ err: error }, "cannot drop stale ComfyUI job stops");
    }
    return Promise.all([...servers].map(([url, state]) => probe(url, state)));
  };

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
