import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";

/** One scripted answer: a completion, or an HTTP error. */
export type FakeReply =
  | {
      content: string | null;
      finishReason?: "stop" | "length" | "content_filter";
      refusal?: string;
      /** A thinking model's reasoning, as Ollama sends it. */
      reasoning?: string;
      delayMs?: number;
    }
  | { status: number; message: string; type?: string };

export type FakeRequest = {
  path: string;
  authorization: string | undefined;
  body: ChatCompletionCreateParamsNonStreaming;
};

export type FakeOpenAi = {
  /** The base URL to give the client, ending in /v1. */
  baseUrl: string;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** Queues answers; a reply may be chosen from the request it answers. */
  reply(
    ...replies: (FakeReply | ((request: FakeRequest) => FakeReply))[]
  ): void;
  close(): Promise<void>;
};

/**
 * An OpenAI-compatible chat server on 127.0.0.1 that answers from a
 * script. With nothing queued it answers 500, which tests notice. Any
 * other path answers 404. On a free port unless one is given.
 */
export async function startFakeOpenAi(port = 0): Promise<FakeOpenAi> {
  const queue: Parameters<FakeOpenAi["reply"]> = [];
  const requests: FakeRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const text = await readBody(req);
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      return sendError(res, 404, "not found", "not_found_error");
    }
    const request = {
      path: req.url,
      authorization: req.headers.authorization,
      body: JSON.parse(text) as FakeRequest["body"],
    };
    requests.push(request);
    const next = queue.shift();
    const reply = typeof next === "function" ? next(request) : next;
    if (!reply) return sendError(res, 500, "the fake has no reply queued");
    if ("status" in reply) {
      return sendError(res, reply.status, reply.message, reply.type);
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    sendJson(res, 200, completion(request.body.model, reply));
  });
  await new Promise<void>((resolve) =>
    server.listen(port, "127.0.0.1", () => resolve()),
  );
  const { port: bound } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${bound}/v1`,
    requests,
    reply: (...replies) => void queue.push(...replies),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function completion(
  model: string,
  reply: Extract<FakeReply, { content: unknown }>,
) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: reply.content,
          refusal: reply.refusal ?? null,
          ...(reply.reasoning && { reasoning: reply.reasoning }),
        },
        finish_reason: reply.finishReason ?? "stop",
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
  };
}

function sendError(
  res: http.ServerResponse,
  status: number,
  message: string,
  type = status < 500 ? "invalid_request_error" : "api_error",
) {
  sendJson(res, status, { error: { message, type, param: null, code: null } });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (text += chunk));
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}
