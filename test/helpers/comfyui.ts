import fs from "node:fs";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { artifacts, promptEvents, type Prompt } from "@/db/schema";
import { getPrompt } from "@/db/prompts";

export const workflowsDir = path.resolve(
  import.meta.dirname,
  "../../workflows",
);

/**
 * Worker settings for ComfyUI tests: short polls, probes and retries, so a
 * case takes about a second. Merge over a workspace's env.
 */
export function comfyEnv(urls: string[]): Record<string, string> {
  return {
    COMFYUI_URL: urls.join(","),
    COMFYUI_WORKFLOWS_DIR: workflowsDir,
    COMFYUI_POLL_MS: "50",
    COMFYUI_HEALTH_MS: "200",
    COMFYUI_TIMEOUT_MS: "20000",
    HEARTBEAT_MS: "100",
    LEASE_MS: "1500",
    WORKER_IDLE_MS: "50",
    SHUTDOWN_GRACE_MS: "300",
    RETRY_BASE_MS: "50",
    RETRY_MAX_MS: "100",
    UNREACHABLE_RETRY_MS: "300",
    BUILTIN_DELAY_MS: "0",
  };
}

export function promptRow(db: Db, id: number): Prompt {
  const prompt = getPrompt(db, id);
  if (!prompt) throw new Error(`prompt ${id} is missing`);
  return prompt;
}

/** Whether stage 2 ended, either way. */
export function isSettled(db: Db, id: number): boolean {
  const { artifactStatus } = promptRow(db, id);
  return artifactStatus === "ready" || artifactStatus === "failed";
}

export function artifactRows(db: Db, id: number) {
  return db
    .select()
    .from(artifacts)
    .where(eq(artifacts.promptId, id))
    .orderBy(asc(artifacts.id))
    .all();
}

export function eventReasons(db: Db, id: number): string[] {
  return db
    .select({ reason: promptEvents.reason })
    .from(promptEvents)
    .where(eq(promptEvents.promptId, id))
    .orderBy(asc(promptEvents.id))
    .all()
    .map((event) => event.reason);
}

/** Every file under a folder, recursively, relative to it. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}
