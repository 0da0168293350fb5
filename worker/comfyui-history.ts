import { z } from "zod";
import { BackendError } from "../lib/errors";

const historyEntrySchema = z.looseObject({
  outputs: z.record(z.string(), z.unknown()).default({}),
  status: z
    .looseObject({
      status_str: z.string().optional(),
      messages: z.array(z.tuple([z.string(), z.unknown()])).default([]),
    })
    .optional(),
});

const fileSchema = z.looseObject({
  filename: z.string().min(1),
  subfolder: z.string().default(""),
  type: z.string().default("output"),
});

const executionErrorSchema = z.looseObject({
  node_id: z.unknown(),
  node_type: z.unknown(),
  exception_type: z.unknown(),
  exception_message: z.unknown(),
});

const nodeErrorSchema = z.looseObject({
  class_type: z.string().optional(),
  errors: z
    .array(
      z.looseObject({
        message: z.string().optional(),
        details: z.string().optional(),
        extra_info: z
          .looseObject({ input_name: z.string().optional() })
          .default({}),
      }),
    )
    .default([]),
});

export type OutputFile = z.infer<typeof fileSchema> & { nodeId: string };

/** What a finished job left: its saved files, or why it failed. */
export type JobResult =
  { ok: true; files: OutputFile[] } | { ok: false; message: string };

/** Reads a history entry, ComfyUI's record of a finished job. */
export function readJobResult(entry: unknown): JobResult {
  const parsed = historyEntrySchema.safeParse(entry);
  if (!parsed.success) {
    throw new BackendError(
      "transient",
      "ComfyUI's history entry for the job cannot be read",
    );
  }
  const { outputs, status } = parsed.data;
  if (status?.status_str === "error") {
    return { ok: false, message: describeJobFailure(status.messages) };
  }
  return { ok: true, files: listOutputFiles(outputs) };
}

/**
 * Every saved file in the outputs, of any kind: `images`, `audio`, `gifs`,
 * `video`, or a custom node's list of {filename, subfolder, type}. Flag
 * lists such as `animated` hold no files, and previews (type temp) are
 * ComfyUI's scratch space, not results.
 */
export function listOutputFiles(outputs: Record<string, unknown>) {
  const files: OutputFile[] = [];
  for (const [nodeId, ui] of Object.entries(outputs)) {
    if (!ui || typeof ui !== "object") continue;
    for (const list of Object.values(ui)) {
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const file = fileSchema.safeParse(item);
        if (file.success && file.data.type === "output") {
          files.push({ ...file.data, nodeId });
        }
      }
    }
  }
  return files;
}

/** The failing node's exception, from the messages the executor kept. */
function describeJobFailure(messages: [string, unknown][]): string {
  for (const [event, data] of messages) {
    if (event === "execution_error") {
      const error = executionErrorSchema.safeParse(data);
      if (!error.success) break;
      const { node_id, node_type, exception_type, exception_message } =
        error.data;
      const kind = exception_type ? `${String(exception_type)}: ` : "";
      return (
        `ComfyUI failed at node ${String(node_id)} (${String(node_type)}): ` +
        `${kind}${String(exception_message ?? "").trim()}`
      );
    }
    if (event === "execution_interrupted") {
      return "ComfyUI interrupted the job (someone stopped it on the server)";
    }
  }
  return "ComfyUI reports the job failed without saying why";
}

/**
 * A submission's node_errors as one line per node:
 * `node 4 (CheckpointLoaderSimple) input ckpt_name: Value not in list: …`.
 */
export function formatNodeErrors(nodeErrors: Record<string, unknown>) {
  const lines: string[] = [];
  for (const [nodeId, value] of Object.entries(nodeErrors)) {
    const node = nodeErrorSchema.safeParse(value);
    if (!node.success) continue;
    const name = `node ${nodeId} (${node.data.class_type ?? "unknown class"})`;
    for (const error of node.data.errors) {
      const input = error.extra_info.input_name;
      const what = [error.message, error.details].filter(Boolean).join(": ");
      lines.push(`${name}${input ? ` input ${input}` : ""}: ${what}`);
    }
  }
  return lines.join("; ");
}
