import type { Db } from "../db/client";
import type { Config } from "../lib/config";
import type { Logger } from "../lib/log";
import { createComfyRenderer, type ComfyRenderer } from "./comfyui-renderer";
import { createServerPool, type ServerPool } from "./comfyui-servers";
import { loadWorkflows } from "./comfyui-workflows";

export type ComfyBackend = { pool: ServerPool; renderer: ComfyRenderer };

/**
 * With COMFYUI_URL set: checks the workflow templates (a bad one stops the
 * worker here, naming its file and node), probes every server once and
 * returns the renderer. Null when ComfyUI is not configured.
 */
export async function startComfyBackend(options: {
  db: Db;
  config: Config;
  workerId: string;
  log: Logger;
}): Promise<ComfyBackend | null> {
  const { db, config, workerId } = options;
  if (!config.COMFYUI_URL) return null;
  const log = options.log.child({ backend: "comfyui" });
  const workflows = loadWorkflows(config.workflowsDir);
  const pool = createServerPool({
    db,
    urls: config.COMFYUI_URL,
    capacity: config.COMFYUI_JOBS_PER_SERVER,
    healthMs: config.COMFYUI_HEALTH_MS,
    workerId,
    log,
    workflows: Object.values(workflows),
  });

  await pool.start();
  const renderer = createComfyRenderer({
    pool,
    workflows,
    pollMs: config.COMFYUI_POLL_MS,
    log,
  });
  return { pool, renderer };
}
