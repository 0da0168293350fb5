import { getEventListeners } from "node:events";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { createPrompt, getPrompt, getPromptDetail } from "@/db/prompts";
import type { Prompt } from "@/db/schema";
import { registerWorker } from "@/db/workers";
import { parseConfig } from "@/lib/config";
import type { Logger } from "@/lib/log";
import type { PromptType } from "@/lib/prompt-types";
import { defaultWritingConfig } from "@/lib/writing-config";
import { createLlmWriter } from "@/worker/llm-writer";
import { runWorkerLoop } from "@/worker/loop";
import { StageInterrupt } from "@/worker/stage-failure";
import {
  startFakeOpenAi,
  type FakeOpenAi,
  type FakeReply,
} from "../helpers/fake-openai";
import { freePort, waitFor } from "../helpers/processes";
import { makeTestDb, type Workspace } from "../helpers/workspace";

const song = {
  title: "Leaving Home",
  genre: "folk",
  tags: ["acoustic guitar", "warm"],
  tempoBpm: 96,
  durationSeconds: 3,
  key: "G major",
  seed: 7,
  lyrics: [
    { label: "verse", lines: ["The kettle cools, the door is wide"] },
    { label: "chorus", lines: ["So long, my little town"] },
  ],
};

const image = {
  title: "Lighthouse at Dusk",
  prompt: "a lighthouse at dusk, rolling waves, warm lamp light, oil painting",
  negativePrompt: "blurry, text",
  style: "oil painting",
  width: 64,
  height: 64,
  seed: 7,
};

const poem = "Tin Roof\n\nThe rain keeps time\non the roof's thin drum.";

const log = pino({ level: "silent" }) as unknown as Logger;

describe("the language model writer in the worker loop", () => {
  let fake: FakeOpenAi;
  let db: Db;
  let workspace: Workspace;
  let close: () => void;
  let stop: AbortController;
  beforeEach(async () => {
    fake = await startFakeOpenAi();
    ({ db, workspace, close } = makeTestDb());
    stop = new AbortController();
    registerWorker(db, { id: "w1", version: "test", dbPath: workspace.dbPath });
  });
  afterEach(async () => {
    stop.abort();
    await fake.close();
    close();
  });

  const addPrompt = (type: PromptType, text: string) =>
    createPrompt(db, { type, text, priority: 0 });

  /** Runs the loop until the prompt is done, failed or waiting. */
  async function runUntilSettled(
    promptId: number,
    env: Record<string, string> = {},
  ) {
    const config = parseConfig({
      DATABASE_PATH: workspace.dbPath,
      ARTIFACTS_DIR: workspace.artifactsDir,
      HEARTBEAT_MS: "20",
      SHUTDOWN_GRACE_MS: "50",
      WORKER_IDLE_MS: "20",
      BUILTIN_DELAY_MS: "0",
      MAX_ATTEMPTS: "2",
      RETRY_BASE_MS: "10",
      UNREACHABLE_RETRY_MS: "60000",
      LLM_BASE_URL: fake.baseUrl,
      LLM_MODEL: "tiny-model",
      ...env,
    });
    const writer = createLlmWriter(config, defaultWritingConfig, log);
    const running = runWorkerLoop({
      db,
      config,
      workerId: "w1",
      log,
      once: false,
      stopSignal: stop.signal,
      writer,
    });

    await waitFor(() => isSettled(getPrompt(db, promptId)!), 10_000, 10);
    stop.abort();
    await running;
    const detail = getPromptDetail(db, promptId)!;
    // A recorded writing resets attempts; the timeline keeps the count.
    const writeAttempts = detail.events.filter(
      (event) => event.reason === "writing started",
    ).length;
    return { ...detail, writeAttempts };
  }

  const bodies = () => fake.requests.map((request) => request.body);
  const formats = () => bodies().map((body) => body.response_format?.type);
  const lastMessage = (n: number) => bodies()[n].messages.at(-1)!.content;

  it("writes a poem with the model's text, and its text only", async () => {
    const { id } = addPrompt("poem", "rain on a tin roof");
    fake.reply({ content: `\n${poem}\n\n`, reasoning: "Rain. Roofs. Hmm." });

    const { prompt, writing, writeAttempts } = await runUntilSettled(id);

    expect(prompt).toMatchObject({ status: "completed", lastError: null });
    expect(writeAttempts).toBe(1);
    expect(writing).toMatchObject({
      format: "text",
      content: poem,
      backend: "llm:tiny-model",
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].authorization).toBe("Bearer not-needed");
    expect(bodies()[0]).toMatchObject({
      model: "tiny-model",
      temperature: defaultWritingConfig.poem.temperature,
      top_p: defaultWritingConfig.poem.top_p,
      max_tokens: 1024,
      messages: [
        { role: "system", content: defaultWritingConfig.poem.instructions },
        { role: "user", content: "rain on a tin roof" },
      ],
    });
    expect(bodies()[0].response_format).toBeUndefined();
  });

  it("takes a song spec out of a Markdown fence", async () => {
    const { id, seed } = addPrompt(
      "lyrics_prompt",
      "a folk song about leaving",
    );
    fake.reply({ content: `\`\`\`json\n${JSON.stringify(song)}\n\`\`\`` });

    const { prompt, writing, writeAttempts } = await runUntilSettled(id);

    expect(prompt).toMatchObject({
      status: "completed",
      artifactStatus: "ready",
      lastError: null,
    });
    expect(writeAttempts).toBe(1);
    expect(writing!.format).toBe("json");
    expect(JSON.parse(writing!.content)).toEqual(song);
    expect(fake.requests).toHaveLength(1);
    const body = bodies()[0];
    expect(body.max_tokens).toBe(2048);
    expect(body.response_format).toMatchObject({
      type: "json_schema",
      json_schema: {
        name: "lyrics_prompt",
        schema: {
          type: "object",
          required: expect.arrayContaining(["lyrics", "tempoBpm"]),
          properties: {
            lyrics: { description: expect.stringMatching(/chorus/) },
          },
        },
      },
    });
    expect(body.messages[0].content).toContain('"tempoBpm"');
    expect(body.messages[1].content).toBe(
      `The idea: a folk song about leaving\n\nThe seed: ${seed}`,
    );
  });

  it("takes the one {…} block out of prose around it", async () => {
    const { id } = addPrompt("image_prompt", "a lighthouse at dusk");
    fake.reply({
      content: `Sure! Here is the spec {as asked}:\n${JSON.stringify(image)}\nEnjoy.`,
    });

    const { prompt, writing, writeAttempts } = await runUntilSettled(id);

    expect(prompt).toMatchObject({ status: "completed", lastError: null });
    expect(writeAttempts).toBe(1);
    expect(JSON.parse(writing!.content)).toEqual(image);
    expect(fake.requests).toHaveLength(1);
    expect(bodies()[0].response_format).toMatchObject({
      json_schema: {
        name: "image_prompt",
        schema: { properties: { width: { multipleOf: 8 } } },
      },
    });
  });

  it("asks once more with twice the budget when cut off, then fails keeping nothing", async () => {
    const { id } = addPrompt("lyrics_prompt", "a folk song about leaving");
    const cut = { content: '{"title": "Leaving Ho', finishReason: "length" };
    fake.reply(cut as FakeReply, cut as FakeReply);

    const { prompt, writing } = await runUntilSettled(id);

    expect(prompt).toMatchObject({ status: "failed", attempts: 1 });
    expect(prompt.lastError).toMatch(
      /^permanent: output cut off at 4096 tokens \(finish_reason length\)/,
    );
    expect(writing).toBeNull();
    expect(bodies().map((body) => body.max_tokens)).toEqual([2048, 4096]);
  });

  it("keeps the answer when the retry with twice the budget finishes", async () => {
    const { id } = addPrompt("poem", "rain on a tin roof");
    fake.reply(
      { content: "Tin Roof\n\nThe rain", finishReason: "length" },
      { content: poem },
    );

    const { prompt, writing, writeAttempts } = await runUntilSettled(id);

    expect(prompt).toMatchObject({ status: "completed", lastError: null });
    expect(writeAttempts).toBe(1);
    expect(writing!.content).toBe(poem);
    expect(bodies().map((body) => body.max_tokens)).toEqual([1024, 2048]);
  });

  it("asks for one repair quoting each bad field, then follows the retry policy", async () => {
    const { id } = addPrompt("lyrics_prompt", "a folk song about leaving");
    const bad = JSON.stringify({ ...song, genre: undefined, tempoBpm: "fast" });
    fake.reply(...Array(4).fill({ content: bad }));

    const { prompt, writing } = await runUntilSettled(id);

    expect(prompt).toMatchObject({ status: "failed", attempts: 2 });
    expect(prompt.lastError).toMatch(
      /^transient: the model's song spec is not valid: /,
    );
    expect(prompt.lastError).toContain(
      "tempoBpm: Invalid input: expected number, received string",
    );
    expect(prompt.lastError).toContain(
      "genre: Invalid input: expected string, received undefined",
    );
    expect(writing).toBeNull();
    expect(fake.requests).toHaveLength(4);
    const repair = bodies()[1].messages;
    expect(repair.at(-2)).toEqual({ role: "assistant", content: bad });
    expect(lastMessage(1)).toMatch(/^- tempoBpm: .*expected number/m);
    expect(lastMessage(1)).toMatch(/^- genre: .*expected string/m);
    expect(formats()).toEqual(Array(4).fill("json_schema"));
  });

  it("keeps a spec the repair request fixed, the chorus rule included", async () => {
    const { id } = addPrompt("lyrics_prompt", "a folk song about leaving");
    const verses = [song.lyrics[0], song.lyrics[0]];
    fake.reply(
      { content: JSON.stringify({ ...song, lyrics: verses }) },
      { content: JSON.stringify(song) },
    );

    const { prompt, writing, writeAttempts } = await runUntilSettled(id);

    expect(prompt).toMatchObject({ status: "completed", lastError: null });
    expect(writeAttempts).toBe(1);
    expect(JSON.parse(writing!.content)).toEqual(song);
    expect(fake.requests).toHaveLength(2);
    expect(lastMessage(1)).toContain("- lyrics: lyrics need a chorus");
  });

  it("says the model did not return JSON when prose comes back twice", async () => {
    const { id } = addPrompt("image_prompt", "a lighthouse at dusk");
    const prose = { content: "I'd paint a lighthouse with warm light." };
    fake.reply(prose, prose);

    const { prompt, writing } = await runUntilSettled(id, {
      MAX_ATTEMPTS: "1",
    });

    expect(prompt).toMatchObject({ status: "failed", attempts: 1 });
    expect(prompt.lastError).toMatch(
      /^transient: the model did not return JSON, also after a repair request; its answer began: "I'd paint/,
    );
    expect(writing).toBeNull();
    expect(fake.requests).toHaveLength(2);
    expect(lastMessage(1)).toMatch(/not a JSON object/);
  });

  it("asks in plain JSON mode when the server refuses the schema", async () => {
    const { id } = addPrompt("image_prompt", "a lighthouse at dusk");
    fake.reply(
      { status: 400, message: "response_format json_schema is not supported" },
      { content: JSON.stringify(image) },
    );

    const { prompt, writing, writeAttempts } = await runUntilSettled(id);

    expect(prompt).toMatchObject({ status: "completed", lastError: null });
    expect(writeAttempts).toBe(1);
    expect(JSON.parse(writing!.content)).toEqual(image);
    expect(formats()).toEqual(["json_schema", "json_object"]);
  });

  it("keeps to plain JSON mode for the repair once the schema was refused", async () => {
    const { id } = addPrompt("image_prompt", "a lighthouse at dusk");
    fake.reply(
      { status: 400, message: "response_format json_schema is not supported" },
      { content: JSON.stringify({ ...image, width: 1001 }) },
      { content: JSON.stringify(image) },
    );

    const { prompt, writing, writeAttempts } = await runUntilSettled(id);

    expect(prompt).toMatchObject({ status: "completed", lastError: null });
    expect(writeAttempts).toBe(1);
    expect(JSON.parse(writing!.content)).toEqual(image);
    expect(formats()).toEqual(["json_schema", "json_object", "json_object"]);
    expect(lastMessage(2)).toMatch(/^- width: .*multiple of 8/m);
  });

  it("fails at once when the server refuses both JSON formats", async () => {
    const { id } = addPrompt("image_prompt", "a lighthouse at dusk");
    fake.reply(
      { status: 400, message: "json_schema is not supported" },
      { status: 422, message: "json_object is not supported either" },
    );

    const { prompt, writing } = await runUntilSettled(id);

    expect(prompt).toMatchObject({ status: "failed", attempts: 1 });
    expect(prompt.lastError).toMatch(
      /^permanent: the language model server cannot do structured output: /,
    );
    expect(prompt.lastError).toContain("400 json_schema is not supported");
    expect(prompt.lastError).toContain(
      "422 json_object is not supported either",
    );
    expect(writing).toBeNull();
    expect(formats()).toEqual(["json_schema", "json_object"]);
  });

  it("fails at once in the server's words when a spec request gets an unrelated 400", async () => {
    const { id } = addPrompt("image_prompt", "a lighthouse at dusk");
    fake.reply({ status: 400, message: 'model "tiny-model" not found' });

    const { prompt, writing } = await runUntilSettled(id);

    expect(prompt).toMatchObject({ status: "failed", attempts: 1 });
    expect(prompt.lastError).toBe(
      "permanent: the language model server refused the request: " +
        '400 model "tiny-model" not found',
    );
    expect(writing).toBeNull();
    expect(fake.requests).toHaveLength(1);
    expect(formats()).toEqual(["json_schema"]);
  });

  it("fails in the server's words when plain JSON mode gets an unrelated 400", async () => {
    const { id } = addPrompt("image_prompt", "a lighthouse at dusk");
    fake.reply(
      { status: 400, message: "response_format json_schema is not supported" },
      { status: 400, message: "max_tokens must be at most 1024" },
    );

    const { prompt } = await runUntilSettled(id);

    expect(prompt).toMatchObject({ status: "failed", attempts: 1 });
    expect(prompt.lastError).toBe(
      "permanent: the language model server refused the request: " +
        "400 max_tokens must be at most 1024",
    );
    expect(formats()).toEqual(["json_schema", "json_object"]);
  });

  it("keeps the URL's password out of the waiting reason while no server listens", async () => {
    const port = await freePort();
    const { id } = addPrompt("poem", "rain on a tin roof");

    const { prompt } = await runUntilSettled(id, {
      LLM_BASE_URL: `http://user:secret@127.0.0.1:${port}/v1`,
    });

    expect(prompt).toMatchObject({
      status: "unprocessed",
      waitingReason:
        "unreachable: language model server unreachable at " +
        `http://127.0.0.1:${port}/v1 (ECONNREFUSED)`,
    });
  });

  it("waits, counting no attempt, while no server listens", async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}/v1`;
    const { id } = addPrompt("poem", "rain on a tin roof");

    const { prompt, writing } = await runUntilSettled(id, {
      LLM_BASE_URL: baseUrl,
    });

    expect(prompt).toMatchObject({
      status: "unprocessed",
      attempts: 0,
      lastError: null,
      waitingReason: `unreachable: language model server unreachable at ${baseUrl} (ECONNREFUSED)`,
    });
    expect(writing).toBeNull();
    expect(fake.requests).toHaveLength(0);
  });
});

describe("createLlmWriter", () => {
  let fake: FakeOpenAi;
  beforeEach(async () => (fake = await startFakeOpenAi()));
  afterEach(() => fake.close());

  const writerFor = (env: Record<string, string> = {}, logger = log) =>
    createLlmWriter(
      parseConfig({
        LLM_BASE_URL: fake.baseUrl,
        LLM_MODEL: "tiny-model",
        ...env,
      }),
      defaultWritingConfig,
      logger,
    );
  const input = { type: "poem", text: "rain", seed: 1 } as const;
  // The SDK leaves a listener on the signal per request: one each.
  const idle = () => new AbortController().signal;

  it.each([
    [429, "transient", /^the language model server answered 429 slow down/],
    [503, "transient", /^the language model server answered 503 slow down/],
    [401, "permanent", /refused the API key \(LLM_API_KEY\): 401 slow down/],
    [403, "permanent", /refused the API key \(LLM_API_KEY\): 403 slow down/],
    [
      404,
      "permanent",
      /^model "tiny-model" not found on the server at .*ollama pull tiny-model/,
    ],
    [
      400,
      "permanent",
      /^the language model server refused the request: 400 slow down/,
    ],
  ] as const)(
    "maps HTTP %i to a %s failure, asking once",
    async (status, kind, message) => {
      fake.reply({ status, message: "slow down" });

      const writing = writerFor().writeText(input, idle());

      await expect(writing).rejects.toMatchObject({
        name: "BackendError",
        kind,
        message: expect.stringMatching(message),
      });
      expect(fake.requests).toHaveLength(1);
    },
  );

  it.each([
    "max_tokens must be at most 1024",
    "This model's maximum context length is 4096 tokens. However, you " +
      "requested 6000 tokens. Please reduce the length of the messages.",
    "Could not find model information for tiny-model",
  ])(
    "fails a spec request answered 400 %j at once, not trying JSON mode",
    async (message) => {
      fake.reply({ status: 400, message });

      const writing = writerFor().writeSpec(
        { type: "lyrics_prompt", text: "a folk song", seed: 1 },
        idle(),
      );

      await expect(writing).rejects.toMatchObject({
        kind: "permanent",
        message: `the language model server refused the request: 400 ${message}`,
      });
      expect(fake.requests).toHaveLength(1);
    },
  );

  it("asks once in JSON mode when a 501 names the format", async () => {
    fake.reply(
      { status: 501, message: "structured output is not implemented" },
      { content: JSON.stringify(image) },
    );

    const spec = await writerFor().writeSpec(
      { type: "image_prompt", text: "a lighthouse", seed: 7 },
      idle(),
    );

    expect(spec).toEqual(image);
    expect(fake.requests.map((r) => r.body.response_format?.type)).toEqual([
      "json_schema",
      "json_object",
    ]);
  });

  describe("with a user name and password in LLM_BASE_URL", () => {
    const withCredentials = (url: string) =>
      url.replace("http://", "http://user:secret@");
    const basicAuth = `Basic ${Buffer.from("user:secret").toString("base64")}`;

    it("keeps them out of the error when no server listens", async () => {
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}/v1`;

      const error = await writerFor({ LLM_BASE_URL: withCredentials(baseUrl) })
        .writeText(input, idle())
        .catch((e: unknown) => e);

      expect(error).toMatchObject({
        kind: "unreachable",
        message: `language model server unreachable at ${baseUrl} (ECONNREFUSED)`,
      });
      expect(loggedText(error)).not.toMatch(/secret|user:/);
    });

    it("sends them as Basic auth and keeps them out of a 500's error", async () => {
      const echoed = withCredentials("http://10.0.0.5:8000/v1");
      fake.reply({ status: 500, message: `upstream ${echoed} failed` });

      const error = await writerFor({
        LLM_BASE_URL: withCredentials(fake.baseUrl),
      })
        .writeText(input, idle())
        .catch((e: unknown) => e);

      expect(error).toMatchObject({
        kind: "transient",
        message:
          "the language model server answered 500 upstream " +
          "http://10.0.0.5:8000/v1 failed",
      });
      expect(loggedText(error)).not.toMatch(/secret|user:/);
      expect(fake.requests[0].authorization).toBe(basicAuth);
    });

    it("keeps them out of the log when the schema is refused", async () => {
      const { logger, lines } = capturingLog();
      const refusal = `json_schema is not supported by ${withCredentials(fake.baseUrl)}`;
      fake.reply(
        { status: 400, message: refusal },
        { content: JSON.stringify(image) },
      );

      const spec = await writerFor(
        { LLM_BASE_URL: withCredentials(fake.baseUrl) },
        logger,
      ).writeSpec(
        { type: "image_prompt", text: "a lighthouse", seed: 7 },
        idle(),
      );

      expect(spec).toEqual(image);
      expect(lines.join("")).toContain("structured output refused");
      expect(lines.join("")).not.toMatch(/secret|user:/);
    });
  });

  it("calls a request that outlives LLM_TIMEOUT_MS transient", async () => {
    fake.reply({ content: poem, delayMs: 2000 });

    const writing = writerFor({ LLM_TIMEOUT_MS: "100" }).writeText(
      input,
      idle(),
    );

    await expect(writing).rejects.toMatchObject({
      kind: "transient",
      message: expect.stringMatching(/did not answer within 100 ms/),
    });
  });

  it("lets the stage's abort through as the abort itself", async () => {
    fake.reply({ content: poem, delayMs: 2000 });
    const controller = new AbortController();
    const interrupt = new StageInterrupt("shutdown", "the worker stopped");

    const writing = writerFor().writeText(input, controller.signal);
    await waitFor(() => fake.requests.length === 1, 2000, 5);
    controller.abort(interrupt);

    await expect(writing).rejects.toBe(interrupt);
  });

  it("fails a refusal at once with the model's words", async () => {
    fake.reply({ content: null, refusal: "I can't help with that." });

    const writing = writerFor().writeText(input, idle());

    await expect(writing).rejects.toMatchObject({
      kind: "permanent",
      message: "the model refused: I can't help with that.",
    });
  });

  it("calls an empty answer transient", async () => {
    fake.reply({ content: "  \n " });

    const writing = writerFor().writeText(input, idle());

    await expect(writing).rejects.toMatchObject({
      kind: "transient",
      message: "the model answered with no text",
    });
  });

  it("drops reasoning a server left in the content", async () => {
    fake.reply({ content: `<think>Rain, roofs.</think>\n${poem}` });

    const text = await writerFor().writeText(input, idle());

    expect(text).toBe(poem);
  });

  it("uses a type's max_tokens from the writing config over LLM_MAX_TOKENS", async () => {
    fake.reply({ content: "A story." }, { content: poem });

    await writerFor({ LLM_MAX_TOKENS: "300" }).writeText(
      { ...input, type: "story" },
      idle(),
    );
    await writerFor({ LLM_MAX_TOKENS: "300" }).writeText(input, idle());

    expect(fake.requests.map((r) => r.body.max_tokens)).toEqual([2048, 300]);
  });
});

/** An error as the log writes it: each cause's message and stack too. */
function loggedText(error: unknown): string {
  return JSON.stringify(pino.stdSerializers.err(error as Error));
}

function capturingLog() {
  const lines: string[] = [];
  const logger = pino(
    { level: "debug" },
    { write: (line: string) => void lines.push(line) },
  ) as unknown as Logger;
  return { logger, lines };
}

function isSettled(prompt: Prompt): boolean {
  if (prompt.waitingReason) return true;
  if (prompt.status === "failed") return true;
  return (
    prompt.status === "completed" &&
    (prompt.artifactStatus === null || prompt.artifactStatus === "ready")
  );
}

describe("checking that the model server answers", () => {
  const writerAt = (baseUrl: string) =>
    createLlmWriter(
      parseConfig({ LLM_BASE_URL: baseUrl, LLM_MODEL: "tiny-model" }),
      defaultWritingConfig,
      log,
    );

  it("says down for a closed port, up for any answer, and leaves no listener", async () => {
    const stop = new AbortController();
    const closed = `http://127.0.0.1:${await freePort()}/v1`;
    const down = writerAt(closed);
    for (let i = 0; i < 15; i++) {
      expect(await down.isReachable!(stop.signal)).toBe(false);
    }
    expect(getEventListeners(stop.signal, "abort")).toHaveLength(0);

    const fake = await startFakeOpenAi();
    try {
      expect(await writerAt(fake.baseUrl).isReachable!(stop.signal)).toBe(true);
      expect(getEventListeners(stop.signal, "abort")).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });
});
