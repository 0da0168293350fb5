import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { MediaType } from "../lib/prompt-types";

/** A graph in ComfyUI's API format: node id → class and inputs. */
export type ApiGraph = Record<string, ApiNode>;
type ApiNode = z.infer<typeof apiNodeSchema>;

const apiNodeSchema = z.looseObject({
  class_type: z.string().min(1),
  inputs: z.record(z.string(), z.unknown()),
  _meta: z.looseObject({ title: z.string().optional() }).optional(),
});

const apiGraphSchema = z
  .record(z.string(), apiNodeSchema)
  .refine((graph) => Object.keys(graph).length > 0, "the graph has no nodes");

export type InputRef =
  { node: string; input: string } | { title: string; input: string };

// One object schema, not a union, so that a mistake is named precisely
// ("input: expected string") rather than as "Invalid input".
const inputRefSchema = z
  .strictObject({
    node: z.string().min(1).optional(),
    title: z.string().min(1).optional(),
    input: z.string().min(1),
  })
  .refine((ref) => (ref.node === undefined) !== (ref.title === undefined), {
    message: 'name the node by "node" (its id) or by "title", one of the two',
  })
  .transform(({ node, title, input }): InputRef =>
    node !== undefined ? { node, input } : { title: title!, input },
  );

/** The spec fields each media type's template can receive. */
export const mappedFields = {
  image_prompt: {
    required: ["prompt", "seed", "filenamePrefix"],
    optional: ["negativePrompt", "width", "height"],
  },
  lyrics_prompt: {
    required: ["tags", "lyrics", "seed", "filenamePrefix"],
    optional: ["durationSeconds", "tempoBpm", "key"],
  },
} as const;

/** The template file's base name for each media type. */
export const workflowNames: Record<MediaType, string> = {
  image_prompt: "image",
  lyrics_prompt: "song",
};

export type Workflow = {
  type: MediaType;
  file: string;
  graph: ApiGraph;
  /** Spec field → the node id and input that receives it. */
  targets: Record<string, { nodeId: string; input: string }>;
};

export class WorkflowError extends Error {}

function mapSchemaFor(type: MediaType) {
  const { required, optional } = mappedFields[type];
  const shape = Object.fromEntries([
    ...required.map((field) => [field, inputRefSchema]),
    ...optional.map((field) => [field, inputRefSchema.optional()]),
  ]);
  return z.strictObject(shape);
}

/**
 * Reads and checks every media type's template and mapping from the
 * workflows folder; throws a WorkflowError naming the file and node at
 * fault, so a bad template stops the worker at start, not at each render.
 */
export function loadWorkflows(dir: string): Record<MediaType, Workflow> {
  return {
    image_prompt: loadWorkflow(dir, "image_prompt"),
    lyrics_prompt: loadWorkflow(dir, "lyrics_prompt"),
  };
}

export function loadWorkflow(dir: string, type: MediaType): Workflow {
  const file = path.join(dir, `${workflowNames[type]}.json`);
  const mapFile = path.join(dir, `${workflowNames[type]}.map.json`);
  const graph = parseFile(file, apiGraphSchema, apiFormatHint);
  const mapping = parseFile(mapFile, mapSchemaFor(type), "");

  const targets: Workflow["targets"] = {};
  for (const [field, ref] of Object.entries(mapping)) {
    if (!ref) continue;
    targets[field] = resolveTarget(graph, ref as InputRef, mapFile, field);
  }
  refuseSharedInputs(graph, targets, mapFile);
  return { type, file, graph, targets };
}

/**
 * Two fields filling one input would leave only the last value in the
 * graph, so one field would be silently lost at every render.
 */
function refuseSharedInputs(
  graph: ApiGraph,
  targets: Workflow["targets"],
  mapFile: string,
) {
  const fieldByInput = new Map<string, string>();
  for (const [field, { nodeId, input }] of Object.entries(targets)) {
    const key = JSON.stringify([nodeId, input]);
    const other = fieldByInput.get(key);
    if (other !== undefined) {
      const name = `node ${nodeId} (${graph[nodeId].class_type})`;
      throw new WorkflowError(
        `${mapFile}: ${other} and ${field} both map onto ${name} input ` +
          `${input}; map each field onto its own input`,
      );
    }
    fieldByInput.set(key, field);
  }
}

const apiFormatHint =
  ' (export it from ComfyUI with "Export (API)"; the normal save format ' +
  "with nodes[] and links[] is not accepted)";

function parseFile<T>(file: string, schema: z.ZodType<T>, hint: string): T {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new WorkflowError(`${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new WorkflowError(`${file}: ${issues.join("; ")}${hint}`);
  }
  return result.data;
}

/** Finds the node a mapping entry names and checks its input is a value. */
function resolveTarget(
  graph: ApiGraph,
  ref: InputRef,
  mapFile: string,
  field: string,
) {
  const at = `${mapFile}: ${field}`;
  const nodeId = "node" in ref ? ref.node : findNodeByTitle(graph, ref, at);
  const node = graph[nodeId];
  if (!node) throw new WorkflowError(`${at}: no node ${nodeId} in the graph`);

  const name = `node ${nodeId} (${node.class_type})`;
  if (!(ref.input in node.inputs)) {
    throw new WorkflowError(`${at}: ${name} has no input ${ref.input}`);
  }
  if (isLink(node.inputs[ref.input])) {
    throw new WorkflowError(
      `${at}: ${name} input ${ref.input} is linked to another node; ` +
        "map a field only onto an input that holds a value",
    );
  }
  return { nodeId, input: ref.input };
}

function findNodeByTitle(
  graph: ApiGraph,
  ref: { title: string },
  at: string,
): string {
  const ids = Object.keys(graph).filter(
    (id) => graph[id]._meta?.title === ref.title,
  );
  if (ids.length !== 1) {
    const found = ids.length === 0 ? "no node" : `nodes ${ids.join(", ")}`;
    throw new WorkflowError(
      `${at}: the title "${ref.title}" must name one node; ${found} found`,
    );
  }
  return ids[0];
}

/** A link is [source node id, output index]. */
export function isLink(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === "string" &&
    typeof value[1] === "number"
  );
}

/**
 * A copy of the template with the values put in; every field the mapping
 * names must be given.
 */
export function fillWorkflow(
  workflow: Workflow,
  values: Record<string, string | number>,
): ApiGraph {
  const graph = structuredClone(workflow.graph);
  for (const [field, target] of Object.entries(workflow.targets)) {
    if (!(field in values)) throw new Error(`no value for ${field}`);
    graph[target.nodeId].inputs[target.input] = values[field];
  }
  return graph;
}
