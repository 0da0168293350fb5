import { z } from "zod";
import { isAppError, type ErrorIssue } from "../lib/errors";
import { specSchemaByType, type MediaType } from "../lib/prompt-types";
import { parseSpec, type SpecByType } from "./spec";

/** What a model's answer to a spec request turned out to be. */
export type SpecCheck<T extends MediaType> =
  | { outcome: "valid"; spec: SpecByType[T] }
  | { outcome: "not_json" }
  | { outcome: "invalid"; issues: ErrorIssue[] };

const specLabels: Record<MediaType, string> = {
  image_prompt: "image spec",
  lyrics_prompt: "song spec",
};

/** Rules the JSON Schema cannot say, told to the model in words instead. */
const schemaNotes: Record<MediaType, Record<string, string>> = {
  image_prompt: {},
  lyrics_prompt: {
    lyrics: "At least two sections; at least one has the label chorus.",
  },
};

/**
 * The spec's JSON Schema for response_format, from its zod schema. Zod's
 * refinements have no JSON Schema form and are dropped, so they come back
 * as descriptions.
 */
export function specJsonSchema(type: MediaType): Record<string, unknown> {
  const schema = z.toJSONSchema(specSchemaByType[type], { io: "input" });
  // The dialect line is noise to a model and unknown to some servers.
  delete schema.$schema;
  const properties = schema.properties as Record<string, object>;
  for (const [field, description] of Object.entries(schemaNotes[type])) {
    properties[field] = { ...properties[field], description };
  }
  return schema;
}

/**
 * Finds the JSON in a model's answer: the whole answer, the inside of a
 * Markdown fence, or the first balanced {…} block among prose.
 */
export function extractJson(answer: string): { value: unknown } | null {
  const text = stripThinking(answer).trim();
  const fenced = /```[\w-]*[ \t]*\r?\n?([\s\S]*?)```/.exec(text)?.[1];
  const candidates = [text, fenced?.trim(), ...balancedBlocks(fenced ?? text)];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      return { value: JSON.parse(candidate) };
    } catch {
      // Not this one; the next candidate may be.
    }
  }
  return null;
}

/** Some servers leave a thinking model's reasoning in the content. */
export function stripThinking(answer: string): string {
  return answer.replace(/^\s*<think>[\s\S]*?<\/think>/, "");
}

/** Each top-level {…} block, in order, skipping braces inside strings. */
function balancedBlocks(text: string): string[] {
  const blocks: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"' && depth > 0) {
      inString = true;
    } else if (char === "{") {
      if (depth++ === 0) start = i;
    } else if (char === "}" && depth > 0 && --depth === 0) {
      blocks.push(text.slice(start, i + 1));
    }
  }
  return blocks;
}

/** Extracts and validates a spec from a model's answer. */
export function checkSpec<T extends MediaType>(
  type: T,
  answer: string,
): SpecCheck<T> {
  const json = extractJson(answer);
  if (!json) return { outcome: "not_json" };
  try {
    return { outcome: "valid", spec: parseSpec(type, json.value) };
  } catch (error) {
    if (!isAppError(error) || !error.issues) throw error;
    return { outcome: "invalid", issues: error.issues };
  }
}

const listIssues = (issues: ErrorIssue[], separator: string) =>
  issues.map((issue) => `${issue.path}: ${issue.message}`).join(separator);

/** The follow-up message that asks the model to fix its answer. */
export function repairRequest(check: SpecCheck<MediaType>): string {
  const ending =
    "Answer again with the whole corrected JSON object only: " +
    "no Markdown fences, no prose, no comments.";
  if (check.outcome === "invalid") {
    return (
      "Your JSON does not match the required schema:\n" +
      `- ${listIssues(check.issues, "\n- ")}\n${ending}`
    );
  }
  return `Your answer was not a JSON object. ${ending}`;
}

/** Why a spec still failed after the repair request, for last_error. */
export function describeBadSpec(
  type: MediaType,
  check: SpecCheck<MediaType>,
  answer: string,
): string {
  if (check.outcome === "invalid") {
    const summary = listIssues(check.issues.slice(0, 5), "; ");
    return `the model's ${specLabels[type]} is not valid: ${summary}`;
  }
  const opening = Array.from(answer.trim()).slice(0, 80).join("");
  return (
    "the model did not return JSON, also after a repair request; " +
    `its answer began: ${JSON.stringify(opening)}`
  );
}
