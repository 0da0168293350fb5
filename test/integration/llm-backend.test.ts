import fs from "node:fs";
import path from "node:path";
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { createPrompt, getPromptDetail } from "@/db/prompts";
import { startFakeOpenAi, type FakeOpenAi } from "../helpers/fake-openai";
import { eventReasons } from "../helpers/comfyui";
import { freePort, startWorker, waitFor } from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const song = {
  title: "Leaving Home",
  genre: "folk",
  tags: ["acoustic guitar"],
  tempoBpm: 96,
  durationSeconds: 2,
  key: "G major",
  seed: 7,
  lyrics: [
    { label: "verse", lines: ["The kettle cools, the door is wide"] },
    { label: "chorus", lines: ["So long, my little town"] },
  ],
};

const poem = "Tin Roof\n\nThe rain keeps time\non the roof's thin drum.";

// The worker runs as `npm run worker -- --once` does, in its own process,
// against a fake model server in this one.
describe("the worker with a language model server", () => {
  let fake: FakeOpenAi;
  let workspace: Workspace;
  let db: Db;
  let writingConfig: string;
  beforeAll(async () => (fake = await startFakeOpenAi()));
  afterAll(() => fake.close());
  beforeEach(() => {
    workspace = makeWorkspace();
    db = openDatabase(workspace.dbPath);
    writingConfig = path.join(workspace.dir, "writing.config.json");
    fake.requests.length = 0;
  });
  const prompt = (id: number) => getPromptDetail(db, id)!.prompt;
  afterEach(() => {
    db.$client.close();
    workspace.cleanup();
  });

  const runWorker = async (env: Record<string, string> = {}) => {
    const worker = startWorker(
      {
        ...workspace.env,
        LLM_BASE_URL: fake.baseUrl,
        LLM_MODEL: "tiny-model",
        WRITING_CONFIG: writingConfig,
        ...env,
      },
      ["--once"],
    );
    return { code: await worker.exited, output: worker.output() };
  };

  it("writes a poem and a song spec with the model and the writing config", async () => {
    fs.writeFileSync(
      writingConfig,
      JSON.stringify({ poem: { instructions: ["Write like the sea."] } }),
    );
    const poemId = createPrompt(db, {
      type: "poem",
      text: "rain on a tin roof",
      priority: 0,
    }).id;
    const songId = createPrompt(db, {
      type: "lyrics_prompt",
      text: "a folk song about leaving home",
      priority: 0,
    }).id;
    fake.reply(({ body }) =>
      body.response_format
        ? { content: `\`\`\`json\n${JSON.stringify(song)}\n\`\`\`` }
        : { content: poem },
    );
    fake.reply(({ body }) =>
      body.response_format
        ? { content: JSON.stringify(song) }
        : { content: poem },
    );

    const { code, output } = await runWorker();

    expect(code, output).toBe(0);
    const written = getPromptDetail(db, poemId)!;
    expect(written.prompt).toMatchObject({
      status: "completed",
      lastError: null,
    });
    expect(written.writing).toMatchObject({
      content: poem,
      backend: "llm:tiny-model",
    });
    const sung = getPromptDetail(db, songId)!;
    expect(sung.prompt).toMatchObject({
      status: "completed",
      artifactStatus: "ready",
      lastError: null,
    });
    expect(JSON.parse(sung.writing!.content)).toEqual(song);
    expect(sung.artifacts).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
    const poemRequest = fake.requests.find((r) => !r.body.response_format)!;
    expect(poemRequest.body.messages[0]).toEqual({
      role: "system",
      content: "Write like the sea.",
    });
  });

  it("leaves a prompt waiting, no attempt counted, when the server is down", async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}/v1`;
    const id = createPrompt(db, {
      type: "haiku",
      text: "first frost",
      priority: 0,
    }).id;

    // No WRITING_CONFIG: the shipped writing.config.json.
    const { code, output } = await runWorker({
      LLM_BASE_URL: baseUrl,
      WRITING_CONFIG: "",
      UNREACHABLE_RETRY_MS: "1",
    });

    expect(code, output).toBe(0);
    const { prompt, writing } = getPromptDetail(db, id)!;
    expect(prompt).toMatchObject({
      status: "unprocessed",
      attempts: 0,
      lastError: null,
      waitingReason: `unreachable: language model server unreachable at ${baseUrl} (ECONNREFUSED)`,
    });
    expect(writing).toBeNull();
    const events = eventReasons(db, id);
    expect(events).toEqual([
      "submitted",
      "writing started",
      "waiting for backend",
    ]);

    // A worker started during the outage checks the server before it
    // claims the waiting prompt: no second wait in its timeline.
    const again = await runWorker({
      LLM_BASE_URL: baseUrl,
      WRITING_CONFIG: "",
      UNREACHABLE_RETRY_MS: "1",
    });
    expect(again.code, again.output).toBe(0);
    expect(eventReasons(db, id)).toEqual(events);

    // Once the server answers, a worker writes it.
    fake.reply({ content: poem });
    const { code: last } = await runWorker({ WRITING_CONFIG: "" });
    expect(last).toBe(0);
    expect(getPromptDetail(db, id)!.prompt.status).toBe("completed");
  });

  it("holds writing while the server is down: one wait, then writes once it answers", async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}/v1`;
    const id = createPrompt(db, { type: "poem", text: "rain", priority: 0 });
    const worker = startWorker({
      ...workspace.env,
      LLM_BASE_URL: baseUrl,
      LLM_MODEL: "tiny-model",
      WORKER_IDLE_MS: "50",
      UNREACHABLE_RETRY_MS: "300",
    });
    try {
      await waitFor(() => prompt(id.id).waitingReason !== null, 20_000);
      const waiting = prompt(id.id);
      // More than three retry periods of outage.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const duringOutage = eventReasons(db, id.id);
      const afterOutage = prompt(id.id);

      const back = await startFakeOpenAi(port);
      try {
        back.reply({ content: poem });
        await waitFor(() => prompt(id.id).status === "completed", 20_000);
        expect(back.requests).toHaveLength(1);
      } finally {
        await back.close();
      }

      const reason = `unreachable: language model server unreachable at ${baseUrl} (ECONNREFUSED)`;
      expect(waiting).toMatchObject({
        status: "unprocessed",
        attempts: 0,
        waitingReason: reason,
      });
      // Not claimed again while down: no attempt, the same wait.
      expect(afterOutage).toMatchObject({
        status: "unprocessed",
        attempts: 0,
        waitingReason: reason,
        updatedAt: waiting.updatedAt,
      });
      expect(duringOutage).toEqual([
        "submitted",
        "writing started",
        "waiting for backend",
      ]);
      // (Recording the writing starts stage 2's attempt count afresh.)
      expect(prompt(id.id)).toMatchObject({
        status: "completed",
        lastError: null,
        waitingReason: null,
      });
      expect(eventReasons(db, id.id).slice(3)).toEqual([
        "writing started",
        "writing finished",
      ]);
    } finally {
      await worker.stop();
    }
  });

  it("sends LLM_BASE_URL's user name and password as Basic auth and never shows them", async () => {
    const withCredentials = (url: string) =>
      url.replace("http://", "http://user:secret@");
    const id = createPrompt(db, {
      type: "image_prompt",
      text: "a lighthouse at dusk",
      priority: 0,
    }).id;
    const echoed = withCredentials("http://10.0.0.5:8000/v1");
    fake.reply(
      { status: 400, message: `json_schema is not supported by ${echoed}` },
      { status: 500, message: `upstream ${echoed} failed` },
    );
    fs.writeFileSync(writingConfig, "{}");

    const { code, output } = await runWorker({
      LLM_BASE_URL: withCredentials(fake.baseUrl),
      MAX_ATTEMPTS: "1",
    });

    expect(code, output).toBe(0);
    const { prompt } = getPromptDetail(db, id)!;
    expect(prompt).toMatchObject({
      status: "failed",
      lastError:
        "transient: the language model server answered 500 upstream " +
        "http://10.0.0.5:8000/v1 failed",
    });
    expect(output).toContain("json_schema is not supported by http://10.0.0.5");
    expect(output).not.toMatch(/secret|user:/);
    const basicAuth = `Basic ${Buffer.from("user:secret").toString("base64")}`;
    expect(fake.requests.map((r) => r.authorization)).toEqual([
      basicAuth,
      basicAuth,
    ]);
  });

  it.each([
    [
      "breaks the schema",
      '{ "poem": { "temperature": "hot" } }',
      /poem\.temperature: /,
    ],
    ["is not JSON", '{ "poem": ', /not valid JSON/],
  ])(
    "stops at start naming the writing config file that %s",
    async (_, text, detail) => {
      fs.writeFileSync(writingConfig, text);
      const id = createPrompt(db, {
        type: "poem",
        text: "rain",
        priority: 0,
      }).id;

      const { code, output } = await runWorker();

      expect(code).toBe(1);
      expect(output).toContain(`Invalid writing config ${writingConfig}`);
      expect(output).toMatch(detail);
      expect(getPromptDetail(db, id)!.prompt).toMatchObject({
        status: "unprocessed",
        attempts: 0,
      });
      expect(fake.requests).toHaveLength(0);
    },
  );
});
