import path from "node:path";
import { z } from "zod";
import { isLink, type Workflow } from "./comfyui-workflows";

/** How many allowed values one problem lists. */
const shownValues = 8;
/** How many problems one server keeps; a wrong ComfyUI can have dozens. */
const keptProblems = 12;

/** A server's GET /object_info: node class → its definition. */
export type ObjectInfo = Record<string, unknown>;

const inputsSchema = z.record(z.string(), z.unknown()).optional();

const nodeInfoSchema = z.looseObject({
  input: z
    .looseObject({ required: inputsSchema, optional: inputsSchema })
    .optional(),
});

/**
 * What stops a server running the workflow templates, as its /object_info
 * tells: a node class it lacks, or a literal input outside the list the
 * server allows (a checkpoint not installed). Links and the inputs the
 * mapping fills at submission are not checked. Empty when it can run them.
 */
export function findWorkflowProblems(
  workflows: readonly Workflow[],
  objectInfo: ObjectInfo,
): string[] {
  const problems = workflows.flatMap((workflow) =>
    problemsIn(workflow, objectInfo),
  );
  if (problems.length <= keptProblems) return problems;
  const more = problems.length - keptProblems;
  return [...problems.slice(0, keptProblems), `… and ${more} more`];
}

function problemsIn(workflow: Workflow, objectInfo: ObjectInfo): string[] {
  const file = shownPath(workflow.file);
  const filled = new Set(
    Object.values(workflow.targets).map((t) => `${t.nodeId}|${t.input}`),
  );

  return Object.entries(workflow.graph).flatMap(([nodeId, node]) => {
    const at = `${file} node ${nodeId} (${node.class_type})`;
    if (!Object.hasOwn(objectInfo, node.class_type)) {
      return [
        `${at}: this ComfyUI has no such node (a custom node or a newer ComfyUI?)`,
      ];
    }
    const allowed = allowedValues(objectInfo[node.class_type]);
    return Object.entries(node.inputs).flatMap(([input, value]) => {
      const options = allowed.get(input);
      if (!options || isLink(value) || filled.has(`${nodeId}|${input}`)) {
        return [];
      }
      if (options.includes(value)) return [];
      return [
        `${at} input ${input}: ${shownValue(value)} is not on this server ` +
          `(${listed(options)})`,
      ];
    });
  });
}

/** Each input's allowed values, for the inputs defined as a list. */
function allowedValues(info: unknown): Map<string, unknown[]> {
  const parsed = nodeInfoSchema.safeParse(info);
  const input = parsed.success ? parsed.data.input : undefined;
  const definitions = { ...input?.optional, ...input?.required };

  const allowed = new Map<string, unknown[]>();
  for (const [name, definition] of Object.entries(definitions)) {
    const options = optionsOf(definition);
    if (options) allowed.set(name, options);
  }
  return allowed;
}

// Legacy nodes define a list input as [[...values], config]; newer ones
// (ComfyUI's v3 node schema) as ["COMBO", { options: [...values] }].
function optionsOf(definition: unknown): unknown[] | null {
  if (!Array.isArray(definition)) return null;
  const [type, config] = definition as [unknown, unknown];
  if (Array.isArray(type)) return type;
  const options = (config as { options?: unknown } | null)?.options;
  if (type === "COMBO" && Array.isArray(options)) return options;
  return null;
}

/** The template's path from the project folder, as people name it. */
function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative)
    ? file
    : relative;
}

function shownValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function listed(options: unknown[]): string {
  if (options.length === 0) return "it has none";
  const shown = options.slice(0, shownValues).map(String).join(", ");
  const more = options.length - shownValues;
  return `it has: ${shown}${more > 0 ? `, … ${more} more` : ""}`;
}
