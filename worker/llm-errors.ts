import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
} from "openai";
import { BackendError, type FailureKind } from "../lib/errors";

export type ServerInfo = { model: string; baseUrl: string; timeoutMs: number };

/**
 * Sorts a failed chat request into the queue's failure kinds: no answer is
 * unreachable (the prompt waits), a timeout, 408, 429 or 5xx is transient,
 * any other refusal permanent. Anything that is not a request failure is
 * returned as it was.
 */
export function toBackendError(error: unknown, server: ServerInfo): unknown {
  scrubUserInfo(error);
  const baseUrl = withoutUserInfo(server.baseUrl);
  const options = { cause: error };
  if (error instanceof APIConnectionTimeoutError) {
    return new BackendError(
      "transient",
      `the language model server at ${baseUrl} did not answer within ` +
        `${server.timeoutMs} ms (LLM_TIMEOUT_MS)`,
      options,
    );
  }
  if (error instanceof APIConnectionError) {
    return new BackendError(
      "unreachable",
      `language model server unreachable at ${baseUrl} ` +
        `(${connectionProblem(error)})`,
      options,
    );
  }
  if (!(error instanceof APIError) || error.status === undefined) {
    return error;
  }
  const { kind, message } = describeStatus(error, { ...server, baseUrl });
  return new BackendError(kind, message, options);
}

/** Text with the user name and password left out of every URL in it. */
export function withoutUserInfo(text: string): string {
  // The authority ends at the first / ? # or space; its user info, at the
  // last @ before that, as URL parsers read it.
  return text.replace(/(\b[a-z][\w+.-]*:\/\/)[^\s/?#]*@/gi, "$1");
}

/**
 * Takes URL credentials out of an error and its causes, in place: the log
 * writes every cause's message and stack, and a server may echo a URL.
 */
function scrubUserInfo(error: unknown): void {
  const seen = new Set<unknown>();
  for (let e = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    e.message = withoutUserInfo(e.message);
    if (e.stack) e.stack = withoutUserInfo(e.stack);
  }
}

function describeStatus(
  error: APIError,
  { model, baseUrl }: ServerInfo,
): { kind: FailureKind; message: string } {
  const { status = 0, message: detail } = error;
  if (status === 408 || status === 429 || status >= 500) {
    return {
      kind: "transient",
      message: `the language model server answered ${detail}`,
    };
  }
  if (status === 401 || status === 403) {
    return {
      kind: "permanent",
      message:
        "the language model server refused the API key (LLM_API_KEY): " +
        detail,
    };
  }
  if (status === 404) {
    return {
      kind: "permanent",
      message:
        `model "${model}" not found on the server at ${baseUrl} (for ` +
        `Ollama, pull it: ollama pull ${model}; or LLM_BASE_URL lacks ` +
        `its /v1): ${detail}`,
    };
  }
  return {
    kind: "permanent",
    message: `the language model server refused the request: ${detail}`,
  };
}

/**
 * Words by which servers name the response format when they refuse it:
 * OpenAI ("'response_format' of type 'json_schema' is not supported"),
 * llama.cpp ("Either \"json_schema\" or \"grammar\"", "JSON schema
 * conversion failed"), Ollama ("invalid format"), LM Studio and vLLM
 * (response_format, json_schema, guided decoding). A word boundary keeps
 * "format" from matching inside "information".
 */
const namesResponseFormat =
  /response.?format|json.?schema|json.?object|json mode|structured|grammar|guided|\bformat\b/i;

/**
 * Whether a failed request is the server refusing the response format
 * asked for, rather than the request as a whole (an unknown model, a
 * max_tokens too large), which no other format would fix.
 */
export function isFormatRefusal(error: unknown): error is BackendError {
  if (!(error instanceof BackendError)) return false;
  if (!(error.cause instanceof APIError)) return false;
  const { status = 0, message } = error.cause;
  return [400, 422, 501].includes(status) && namesResponseFormat.test(message);
}

/** The status and the server's own words, as the client reports them. */
export function serverMessage(error: BackendError): string {
  return withoutUserInfo((error.cause as APIError).message);
}

/** The innermost cause's code or message: ECONNREFUSED, ENOTFOUND, … */
function connectionProblem(error: Error): string {
  let cause: unknown = error;
  while (cause instanceof Error && cause.cause instanceof Error) {
    cause = cause.cause;
  }
  const { code, message } = cause as NodeJS.ErrnoException;
  return code ?? message;
}
