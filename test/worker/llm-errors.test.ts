import { APIError } from "openai";
import { describe, expect, it } from "vitest";
import {
  isFormatRefusal,
  toBackendError,
  withoutUserInfo,
} from "@/worker/llm-errors";

const server = {
  model: "tiny-model",
  baseUrl: "http://127.0.0.1:11434/v1",
  timeoutMs: 1000,
};

/** The writer's error for a server answering status with this body. */
const failureFor = (status: number, error: unknown) =>
  toBackendError(
    APIError.generate(status, { error }, undefined, new Headers()),
    server,
  );

describe("isFormatRefusal", () => {
  it.each([
    // OpenAI, for a model without structured output.
    "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
    // llama.cpp, old and new.
    'response_format type must be one of "text" or "json_object", but got: json_schema',
    'Either "json_schema" or "grammar" can be specified, but not both',
    "JSON schema conversion failed: Unrecognized schema",
    // Ollama.
    'invalid format: expected "json" or a JSON schema',
    // vLLM.
    "The provided JSON schema contains features not supported by xgrammar.",
    "guided decoding is not supported for this model",
    // The fake server's refusals.
    "response_format json_schema is not supported",
    "json_object is not supported either",
  ])("takes a 400 saying %j as a format refusal", (message) => {
    expect(isFormatRefusal(failureFor(400, { message }))).toBe(true);
  });

  it("reads LM Studio's error, a bare string", () => {
    const error = "'response_format.json_schema.schema' must be an object";

    expect(isFormatRefusal(failureFor(400, error))).toBe(true);
  });

  it("takes a 422 or 501 naming the format as a refusal, not a 404 or 500", () => {
    const error = { message: "structured output is not implemented" };

    expect(
      [400, 422, 501, 404, 500].map((status) =>
        isFormatRefusal(failureFor(status, error)),
      ),
    ).toEqual([true, true, true, false, false]);
  });

  it.each([
    'model "tiny-model" not found, try pulling it first',
    "max_tokens must be at most 4096",
    "This model's maximum context length is 4096 tokens. However, you " +
      "requested 5000 tokens. Please reduce the length of the messages.",
    "Could not find model information for tiny-model",
    "temperature must be between 0 and 2",
  ])("takes a 400 saying %j as a plain refusal", (message) => {
    expect(isFormatRefusal(failureFor(400, { message }))).toBe(false);
  });
});

describe("withoutUserInfo", () => {
  it("leaves the user name and password out of every URL in a text", () => {
    const text =
      "GET http://user:secret@127.0.0.1:8080/v1/chat failed; " +
      "retry at https://admin:p%40ss@host.lan/v1?x=1, or at https://bob@host";

    expect(withoutUserInfo(text)).toBe(
      "GET http://127.0.0.1:8080/v1/chat failed; " +
        "retry at https://host.lan/v1?x=1, or at https://host",
    );
  });

  it("reads the user info to the last @ before the path, as URL parsers do", () => {
    expect(withoutUserInfo("http://user:p@ss@host:1/v1")).toBe(
      "http://host:1/v1",
    );
  });

  it("keeps an @ that is not in a URL's authority", () => {
    const text = "see http://host/v1/@me or mail ops@example.com";

    expect(withoutUserInfo(text)).toBe(text);
  });
});
