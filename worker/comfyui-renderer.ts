import { randomBytes } from "node:crypto";
import { renewRenderJob, type Claim } from "../db/claims";
import type { Db } from "../db/client";
import { AppError, BackendError, isBackendError } from "../lib/errors";
import type { Logger } from "../lib/log";
import type { MediaType } from "../lib/prompt-types";
import type { ComfyClient } from "./comfyui-client";
import { followJob } from "./comfyui-follow";
import { readJobResult, type OutputFile } from "./comfyui-history";
import type { ServerPool } from "./comfyui-servers";
import { fillWorkflow, type Workflow } from "./comfyui-workflows";
import { workflowValues } from "./comfyui-values";
import { StageInterrupt } from "./stage-failure";
import type { SpecByType } from "./spec";

export type ComfyRendererOptions = {
  pool: ServerPool;
  workflows: Record<MediaType, Workflow>;
  pollMs: number;
  log: Logger;
};

/** A file a render made, as fetched from the render server. */
export type RenderedFile = { data: Buffer; sourceName: string };

export type RenderJob<T extends MediaType = MediaType> = {
  db: Db;
  claim: Claim;
  type: T;
  spec: SpecByType[T];
  signal: AbortSignal;
};

type JobContext = RenderJob & { client: ComfyClient; log: Logger };

export type ComfyRenderer = ReturnType<typeof createComfyRenderer>;

/**
 * Stage 2 on ComfyUI: adopts or submits the claim's job on the server the
 * claim chose, follows it to its end and fetches its output files.
 */
export function createComfyRenderer(options: ComfyRendererOptions) {
  return {
    async render(job: RenderJob): Promise<RenderedFile[]> {
      const { renderServer: url, renderJobId } = job.claim.prompt;
      if (!url || !renderJobId) {
        throw new Error("a ComfyUI render claim has no server or job id");
      }
      const client = options.pool.client(url);
      const log = options.log.child({ promptId: job.claim.prompt.id, url });
      try {
        return await runJob({ ...job, client, log }, renderJobId, options);
      } catch (error) {
        if (isBackendError(error) && error.kind === "unreachable") {
          options.pool.markUnreachable(url, error.message);
        }
        throw error;
      }
    },
  };
}

async function runJob(
  context: JobContext,
  recordedJobId: string,
  options: ComfyRendererOptions,
): Promise<RenderedFile[]> {
  const { client, signal } = context;
  let jobId = recordedJobId;
  try {
    let entry = await client.history(jobId, signal);
    if (entry && !readJobResult(entry).ok) {
      jobId = renewJob(context);
      entry = null;
      await submit(context, jobId, options);
    } else if (!entry && !(await client.isQueued(jobId, signal))) {
      await submit(context, jobId, options);
    } else {
      context.log.info({ jobId, finished: !!entry }, "adopting ComfyUI job");
    }
    entry ??= await followJob(context, jobId, options.pollMs);
    return await collectFiles(context, entry);
  } catch (error) {
    await cancelOnInterrupt(context, jobId);
    throw error;
  }
}

/** The old job failed on the server: a new id, under the lease. */
function renewJob(context: JobContext): string {
  const jobId = renewRenderJob(context.db, context.claim);
  if (!jobId) throw new AppError("lease_lost", "the lease ended");
  return jobId;
}

/**
 * Queues the template filled from the spec. Each submission gets a fresh
 * seed and file name prefix: ComfyUI caches node outputs, so a graph it
 * has already run would finish at once without saving a new file.
 */
async function submit(
  context: JobContext,
  jobId: string,
  options: ComfyRendererOptions,
) {
  const { claim, type, spec } = context;
  const nonce = randomBytes(4).toString("hex");
  const values = workflowValues(type, spec, {
    jobId,
    nonce,
    promptId: claim.prompt.id,
  });
  const graph = fillWorkflow(options.workflows[type], values);
  await context.client.submit(jobId, graph, context.signal);
  context.log.info({ jobId }, "submitted ComfyUI job");
}

/** Reads a finished job's result and fetches every file it saved. */
async function collectFiles(
  context: JobContext,
  entry: unknown,
): Promise<RenderedFile[]> {
  const result = readJobResult(entry);
  if (!result.ok) {
    // An execution error is often out-of-memory or a model that failed to
    // load; a later attempt can succeed, and MAX_ATTEMPTS bounds the cost.
    throw new BackendError("transient", result.message);
  }
  if (result.files.length === 0) {
    // The workflow ran and saved nothing (say, it only previews): running
    // it again saves nothing again, so this is the template's fault.
    throw new BackendError(
      "permanent",
      "ComfyUI returned no output files (the workflow needs a Save node, " +
        "such as SaveImage or SaveAudio, not only a Preview node)",
    );
  }
  const files: RenderedFile[] = [];
  for (const file of result.files) {
    const data = await context.client.download(file, context.signal);
    files.push({ data, sourceName: sourceNameOf(file) });
  }
  return files;
}

/** ComfyUI's own name for the file: kept to show, never used as a path. */
function sourceNameOf(file: OutputFile): string {
  return file.subfolder ? `${file.subfolder}/${file.filename}` : file.filename;
}

/**
 * A cancel, requeue or timeout stops the job on the server too; on
 * shutdown the job keeps running so that the next worker adopts it.
 */
async function cancelOnInterrupt(context: JobContext, jobId: string) {
  const reason: unknown = context.signal.reason;
  if (!context.signal.aborted || !(reason instanceof StageInterrupt)) return;
  if (reason.why === "shutdown") return;
  try {
    await context.client.cancel(jobId);
    context.log.info({ jobId, why: reason.why }, "cancelled ComfyUI job");
  } catch (error) {
    context.log.warn({ err: error, jobId }, "cannot cancel ComfyUI job");
  }
}
