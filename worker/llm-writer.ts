import OpenAI, { APIConnectionError } from "openai";
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import type { Config } from "../lib/config";
import { BackendError } from "../lib/errors";
import { log, type Logger } from "../lib/log";
import {
  isMediaType,
  type MediaType,
  type PromptType,
} from "../lib/prompt-types";
import type { WritingConfig } from "../lib/writing-config";
import {
  checkSpec,
  describeBadSpec,
  repairRequest,
  specJsonSchema,
  stripThinking,
} from "./llm-json";
import {
  isFormatRefusal,
  serverMessage,
  toBackendError,
  type ServerInfo,
} from "./llm-errors";
import type { Writer, WriterInput } from "./write-stage";

export type LlmConfig = Pick<
  Config,
  | "LLM_BASE_URL"
  | "LLM_MODEL"
  | "LLM_API_KEY"
  | "LLM_TIMEOUT_MS"
  | "LLM_MAX_TOKENS"
>;

type Server = ServerInfo & { client: OpenAI; log: Logger };

type JsonMode = "json_schema" | "json_object";

/** One question to the model, and how to sample its answer. */
type Ask = {
  type: PromptType;
  messages: ChatCompletionMessageParam[];
  temperature: number;
  topP: number;
  maxTokens: number;
  jsonMode?: JsonMode;
};

/**
 * A writer backed by an OpenAI-compatible chat server (Ollama, LM Studio,
 * llama.cpp, vLLM, OpenAI). Retries belong to the queue, so the client
 * makes one request per call; a failure is a BackendError of its kind.
 */
export function createLlmWriter(
  config: LlmConfig,
  writingConfig: WritingConfig,
  logger: Logger = log,
): Writer {
  const { LLM_BASE_URL: configuredUrl, LLM_MODEL: model } = config;
  if (!configuredUrl || !model) {
    throw new Error("a language model writer needs LLM_BASE_URL and LLM_MODEL");
  }
  const { baseUrl, headers } = splitCredentials(configuredUrl);
  const client = new OpenAI({
    baseURL: baseUrl,
    apiKey: config.LLM_API_KEY,
    timeout: config.LLM_TIMEOUT_MS,
    maxRetries: 0,
    defaultHeaders: headers,
  });
  const timeoutMs = config.LLM_TIMEOUT_MS;
  const server = { client, log: logger, baseUrl, model, timeoutMs };
  const askFor = (input: WriterInput, user: string): Ask => {
    const writing = writingConfig[input.type];
    return {
      type: input.type,
      messages: [
        { role: "system", content: systemPrompt(input.type, writing) },
        { role: "user", content: user },
      ],
      temperature: writing.temperature,
      topP: writing.top_p,
      maxTokens: writing.max_tokens ?? config.LLM_MAX_TOKENS,
    };
  };

  return {
    backend: `llm:${model}`,
    writeText: (input, signal) =>
      writeText(server, askFor(input, input.text), signal),
    writeSpec: async (input, signal) => {
      if (!isMediaType(input.type)) {
        throw new Error(`a ${input.type} prompt has no spec`);
      }
      return writeSpec(server, input.type, askFor(input, idea(input)), signal);
    },
    isReachable: (signal) => isReachable(server, signal),
  };
}

/** How long a reachability check waits for any answer. */
const reachableTimeoutMs = 5_000;

/**
 * Asks for the model list, with the same client and credentials: any HTTP
 * answer (an error status too) means the server is up; a refused
 * connection, a name that does not resolve or no answer in time, down.
 */
async function isReachable(
  server: Server,
  signal: AbortSignal,
): Promise<boolean> {
  // The client leaves a listener on the signal it is given; a signal of
  // this check's own keeps the worker's long-lived one clean over an
  // outage of many checks.
  const check = new AbortController();
  const abortCheck = () => check.abort();
  signal.addEventListener("abort", abortCheck, { once: true });
  try {
    await server.client.models.list({
      signal: check.signal,
      maxRetries: 0,
      timeout: Math.min(server.timeoutMs, reachableTimeoutMs),
    });
    return true;
  } catch (error) {
    // Timeouts are connection errors too (APIConnectionTimeoutError).
    return !(error instanceof APIConnectionError) && !signal.aborted;
  } finally {
    signal.removeEventListener("abort", abortCheck);
  }
}

/**
 * The base URL without its user name and password, which fetch refuses in
 * a URL, and those as a Basic Authorization header instead.
 */
function splitCredentials(configuredUrl: string): {
  baseUrl: string;
  headers?: Record<string, string>;
} {
  const url = new URL(configuredUrl);
  if (!url.username && !url.password) return { baseUrl: configuredUrl };

  const credentials = `${decode(url.username)}:${decode(url.password)}`;
  const basic = Buffer.from(credentials).toString("base64");
  url.username = "";
  url.password = "";
  return {
    baseUrl: url.toString().replace(/\/+$/, ""),
    // LIMIT: this takes the place of LLM_API_KEY's Bearer header; a server
    // behind a password-protected proxy rarely wants both.
    headers: { Authorization: `Basic ${basic}` },
  };
}

/** A URL part as typed: a lone % stays as it is. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function systemPrompt(
  type: PromptType,
  writing: WritingConfig[PromptType],
): string {
  if (!isMediaType(type)) return writing.instructions;
  // Also in the prompt: some servers drop response_format without a word.
  const schema = JSON.stringify(specJsonSchema(type));
  return `${writing.instructions}\n\nThe JSON Schema of the answer:\n${schema}`;
}

function idea(input: WriterInput): string {
  return `The idea: ${input.text}\n\nThe seed: ${input.seed}`;
}

async function writeText(
  server: Server,
  ask: Ask,
  signal: AbortSignal,
): Promise<string> {
  const text = stripThinking(await complete(server, ask, signal)).trim();
  if (!text) {
    throw new BackendError("transient", "the model answered with no text");
  }
  return text;
}

/**
 * Asks for the spec as structured output; an answer that is not JSON or
 * breaks the schema gets one repair request quoting what is wrong.
 */
async function writeSpec(
  server: Server,
  type: MediaType,
  ask: Ask,
  signal: AbortSignal,
): Promise<unknown> {
  const first = await completeStructured(server, ask, signal);
  const check = checkSpec(type, first.answer);
  if (check.outcome === "valid") return check.spec;

  server.log.warn(
    { model: server.model, type, problem: check.outcome },
    "asking the model to repair its spec",
  );
  const repair: Ask = {
    ...ask,
    jsonMode: first.jsonMode,
    messages: [
      ...ask.messages,
      { role: "assistant", content: first.answer },
      { role: "user", content: repairRequest(check) },
    ],
  };
  const second = await completeStructured(server, repair, signal);
  const recheck = checkSpec(type, second.answer);
  if (recheck.outcome === "valid") return recheck.spec;
  throw new BackendError(
    "transient",
    describeBadSpec(type, recheck, second.answer),
  );
}

/**
 * Asks with a JSON Schema response format; a server that refuses that
 * format (a 400, 422 or 501 naming it) is asked once more in plain JSON
 * mode. Any other refusal fails as the server worded it.
 */
async function completeStructured(
  server: Server,
  ask: Ask,
  signal: AbortSignal,
): Promise<{ answer: string; jsonMode: JsonMode }> {
  const jsonMode = ask.jsonMode ?? "json_schema";
  try {
    return {
      answer: await complete(server, { ...ask, jsonMode }, signal),
      jsonMode,
    };
  } catch (error) {
    if (jsonMode !== "json_schema" || !isFormatRefusal(error)) throw error;
    server.log.warn(
      { model: server.model, reason: serverMessage(error) },
      "structured output refused; asking for plain JSON",
    );
    return {
      answer: await completePlainJson(server, ask, signal, error),
      jsonMode: "json_object",
    };
  }
}

async function completePlainJson(
  server: Server,
  ask: Ask,
  signal: AbortSignal,
  schemaRefusal: BackendError,
): Promise<string> {
  try {
    return await complete(server, { ...ask, jsonMode: "json_object" }, signal);
  } catch (error) {
    if (!isFormatRefusal(error)) throw error;
    throw new BackendError(
      "permanent",
      "the language model server cannot do structured output: it refused " +
        `a JSON Schema response format (${serverMessage(schemaRefusal)}) ` +
        `and plain JSON mode (${serverMessage(error)})`,
      { cause: error },
    );
  }
}

/**
 * One answer's content. Output cut off at max_tokens is asked for once
 * more with twice the budget; cut off again, it fails: nothing partial is
 * ever returned.
 */
async function complete(
  server: Server,
  ask: Ask,
  signal: AbortSignal,
): Promise<string> {
  const first = await requestChoice(server, ask, signal);
  if (first.finish_reason !== "length") return contentOf(first);

  const maxTokens = ask.maxTokens * 2;
  const second = await requestChoice(server, { ...ask, maxTokens }, signal);
  if (second.finish_reason !== "length") return contentOf(second);
  throw new BackendError(
    "permanent",
    `output cut off at ${maxTokens} tokens (finish_reason length), also ` +
      `after a retry with twice the budget; raise max_tokens for ` +
      `${ask.type} in the writing config, or LLM_MAX_TOKENS`,
  );
}

type Choice = OpenAI.Chat.Completions.ChatCompletion.Choice;

async function requestChoice(
  server: Server,
  ask: Ask,
  signal: AbortSignal,
): Promise<Choice> {
  const body: ChatCompletionCreateParamsNonStreaming = {
    model: server.model,
    messages: ask.messages,
    temperature: ask.temperature,
    top_p: ask.topP,
    max_tokens: ask.maxTokens,
    ...(ask.jsonMode && { response_format: responseFormat(ask) }),
  };
  let completion;
  try {
    completion = await server.client.chat.completions.create(body, { signal });
  } catch (error) {
    // The stage's own abort (timeout, shutdown, lost lease) goes up as is.
    signal.throwIfAborted();
    throw toBackendError(error, server);
  }

  const choice = (completion as Partial<typeof completion>).choices?.[0];
  if (!choice?.message) {
    throw new BackendError(
      "permanent",
      `the server at ${server.baseUrl} did not answer with a chat ` +
        "completion; LLM_BASE_URL must be an OpenAI-compatible API " +
        "(for Ollama, http://127.0.0.1:11434/v1)",
    );
  }
  return choice;
}

function responseFormat(
  ask: Ask,
): ChatCompletionCreateParamsNonStreaming["response_format"] {
  if (ask.jsonMode === "json_object") return { type: "json_object" };
  const type = ask.type as MediaType;
  // Not strict: OpenAI's strict mode wants every field required, and the
  // image spec's palette is optional.
  return {
    type: "json_schema",
    json_schema: { name: type, schema: specJsonSchema(type) },
  };
}

/** The answer's content only; reasoning fields are never the writing. */
function contentOf(choice: Choice): string {
  const { message, finish_reason: finishReason } = choice;
  if (message.refusal) {
    throw new BackendError(
      "permanent",
      `the model refused: ${message.refusal}`,
    );
  }
  if (finishReason === "content_filter") {
    throw new BackendError(
      "permanent",
      "the server's content filter stopped the answer",
    );
  }
  return message.content ?? "";
}
