import { describe, expect, it } from "vitest";
import {
  claimNextPrompt,
  recordArtifacts,
  recordWriting,
  type Claim,
} from "@/db/claims";
import { createPrompt, getPrompt, getPromptDetail } from "@/db/prompts";
import { getStagePauses } from "@/db/queue-control";
import type { PromptType } from "@/lib/prompt-types";
import { useAppSuite } from "../../helpers/app-suite";

// The production server with no worker: each request's effect (or its
// absence) is checked in the database file the server uses.
describe("queue control API", () => {
  const suite = useAppSuite();

  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${suite.app.baseUrl}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const errorOf = async (response: Response) =>
    ((await response.json()) as { error: { code: string; message: string } })
      .error;
  const add = (type: PromptType = "poem", text = "rain", priority = 0) =>
    createPrompt(suite.db, { type, text, priority });
  const rowCounts = () =>
    suite.db.$client
      .prepare(
        "SELECT (SELECT count(*) FROM prompts) AS prompts, (SELECT count(*) FROM prompt_events) AS events",
      )
      .get();
  const claim = () =>
    claimNextPrompt(suite.db, { workerId: "w", leaseMs: 60_000 })!;
  const isFinished = (id: number) => {
    const { status, artifactStatus } = getPrompt(suite.db, id)!;
    return status === "completed" && artifactStatus !== "pending";
  };
  /** Records a made-up result for a claim. */
  const complete = (held: Claim, i = 0) => {
    if (held.stage === "render") {
      recordArtifacts(suite.db, held, [
        {
          kind: "image",
          mimeType: "image/png",
          fileName: `${held.prompt.id}-${i}-${Date.now()}.png`,
          sizeBytes: 1,
          sha256: "x",
          backend: "t",
        },
      ]);
      return;
    }
    const isMedia = held.prompt.type === "image_prompt";
    recordWriting(suite.db, held, {
      format: isMedia ? "json" : "text",
      content: isMedia ? "{}" : "lines",
      backend: "t",
    });
  };
  /** Claims and finishes prompts, any of them, until `id` is finished. */
  const finish = (id: number) => {
    for (let i = 0; i < 50 && !isFinished(id); i++) {
      const held = claimNextPrompt(suite.db, {
        workerId: "w",
        leaseMs: 60_000,
      });
      if (!held) break;
      complete(held, i);
    }
    expect(isFinished(id)).toBe(true);
  };

  describe("stages", () => {
    it("pauses and resumes a stage, and stats shows it", async () => {
      const paused = await send("POST", "/api/stages/write/pause");
      const pausedBody = await paused.json();
      const stats = await (await send("GET", "/api/stats")).json();
      const resumed = await send("POST", "/api/stages/write/resume");

      expect(paused.status).toBe(200);
      expect(pausedBody).toMatchObject({
        paused: { write: true, render: false },
        pausedSince: { write: expect.any(String), render: null },
      });
      expect(stats.paused).toEqual({ write: true, render: false });
      expect(resumed.status).toBe(200);
      expect((await resumed.json()).paused).toEqual({
        write: false,
        render: false,
      });
      expect(getStagePauses(suite.db).write.paused).toBe(false);
    });

    it("keeps a claim from taking a paused stage's prompt", async () => {
      const prompt = add();
      await send("POST", "/api/stages/write/pause");

      const held = claimNextPrompt(suite.db, {
        workerId: "w",
        leaseMs: 60_000,
        stage: "write",
      });
      await send("POST", "/api/stages/write/resume");

      expect(held).toBeNull();
      expect(getPrompt(suite.db, prompt.id)!.status).toBe("unprocessed");
      finish(prompt.id);
    });

    it("answers 404 for an unknown stage and 405 for GET", async () => {
      const unknown = await send("POST", "/api/stages/publish/pause");
      const get = await send("GET", "/api/stages/write/pause");

      expect(unknown.status).toBe(404);
      expect((await errorOf(unknown)).message).toBe(
        'There is no stage "publish"; the stages are write and render.',
      );
      expect(get.status).toBe(405);
      expect(get.headers.get("allow")).toBe("OPTIONS, POST");
    });
  });

  describe("PATCH /api/prompts/{id}", () => {
    it("edits the text and type of a prompt not yet started", async () => {
      const prompt = add();

      const response = await send("PATCH", `/api/prompts/${prompt.id}`, {
        text: "  snow  ",
        type: "haiku",
      });

      expect(response.status).toBe(200);
      expect((await response.json()).prompt).toMatchObject({
        id: prompt.id,
        text: "snow",
        type: "haiku",
      });
      expect(getPromptDetail(suite.db, prompt.id)!.events.at(-1)?.reason).toBe(
        "edited",
      );
    });

    it("answers 409 for a prompt being written, and changes nothing", async () => {
      add("poem", "rain", 100);
      const held = claim();
      const before = rowCounts();

      const response = await send("PATCH", `/api/prompts/${held.prompt.id}`, {
        text: "snow",
      });

      expect(response.status).toBe(409);
      expect(await errorOf(response)).toMatchObject({
        code: "conflict",
        message: expect.stringContaining("is being written"),
      });
      expect(getPrompt(suite.db, held.prompt.id)!.text).toBe(held.prompt.text);
      expect(rowCounts()).toEqual(before);
      complete(held);
    });

    it.each([
      ["an empty edit", {}, /at least one of text, type and priority/],
      ["an unknown field", { colour: "red" }, /colour/],
      ["empty text", { text: "  " }, /text is empty/],
      ["an unknown type", { type: "limerick" }, /Invalid edit/],
      ["a priority of 101", { priority: 101 }, /-100 to 100/],
      ["a fractional priority", { priority: 1.5 }, /-100 to 100/],
    ])("answers 400 for %s", async (_name, body, message) => {
      const prompt = add();
      const before = rowCounts();

      const response = await send("PATCH", `/api/prompts/${prompt.id}`, body);

      expect(response.status).toBe(400);
      expect((await errorOf(response)).message).toMatch(message);
      expect(rowCounts()).toEqual(before);
    });

    it("answers 404 for an unknown prompt", async () => {
      const response = await send("PATCH", "/api/prompts/999999", {
        priority: 3,
      });

      expect(response.status).toBe(404);
      expect((await errorOf(response)).message).toBe("prompt 999999 not found");
    });
  });

  describe("POST /api/prompts/{id}/move-to-top", () => {
    it("puts a waiting prompt above every other waiting one", async () => {
      add("poem", "a", 40);
      const low = add("poem", "b", -5);

      const response = await send("POST", `/api/prompts/${low.id}/move-to-top`);

      expect(response.status).toBe(200);
      const { prompt } = await response.json();
      expect(prompt.priority).toBeGreaterThanOrEqual(41);
      expect(claim().prompt.id).toBe(low.id);
    });

    it("answers 409 for a finished prompt and 404 for an unknown one", async () => {
      const prompt = add();
      finish(prompt.id);

      const finished = await send(
        "POST",
        `/api/prompts/${prompt.id}/move-to-top`,
      );
      const unknown = await send("POST", "/api/prompts/999999/move-to-top");

      expect(finished.status).toBe(409);
      expect((await errorOf(finished)).message).toMatch(/is finished/);
      expect(unknown.status).toBe(404);
    });
  });

  describe("re-render and re-write", () => {
    it("re-renders a finished image, its earlier file in the history", async () => {
      const prompt = add("image_prompt", "a lighthouse at dusk", 100);
      finish(prompt.id);
      const firstFiles = getPromptDetail(suite.db, prompt.id)!.artifacts;

      const response = await send("POST", `/api/prompts/${prompt.id}/rerender`);
      finish(prompt.id);
      const detail = await (
        await send("GET", `/api/prompts/${prompt.id}`)
      ).json();

      expect(response.status).toBe(200);
      expect((await response.json()).prompt).toMatchObject({
        status: "completed",
        artifactStatus: "pending",
      });
      expect(detail.prompt.artifactStatus).toBe("ready");
      expect(detail.artifacts).toHaveLength(1);
      expect(detail.artifacts[0].id).not.toBe(firstFiles[0].id);
      expect(detail.history).toHaveLength(1);
      expect(
        detail.history[0].artifacts.map((a: { id: number }) => a.id),
      ).toEqual(firstFiles.map((a) => a.id));
    });

    it("re-writes a finished poem, the earlier writing in the history", async () => {
      const prompt = add("poem", "rain", 100);
      finish(prompt.id);

      const response = await send("POST", `/api/prompts/${prompt.id}/rewrite`);
      const detail = await (
        await send("GET", `/api/prompts/${prompt.id}`)
      ).json();

      expect(response.status).toBe(200);
      expect(detail.prompt).toMatchObject({
        status: "unprocessed",
        outputReference: null,
      });
      expect(detail.writing).toBeNull();
      expect(
        detail.history.map(
          (h: { writing: { content: string } }) => h.writing.content,
        ),
      ).toEqual(["lines"]);
      finish(prompt.id);
    });

    it("answers 409 for a prompt not finished, naming its state", async () => {
      const prompt = add("image_prompt", "a lighthouse", 100);
      const before = rowCounts();

      const rerender = await send("POST", `/api/prompts/${prompt.id}/rerender`);
      const rewrite = await send("POST", `/api/prompts/${prompt.id}/rewrite`);

      expect(rerender.status).toBe(409);
      expect((await errorOf(rerender)).message).toMatch(
        /is waiting to be written; only a media prompt whose render finished/,
      );
      expect(rewrite.status).toBe(409);
      expect(rowCounts()).toEqual(before);
      finish(prompt.id);
    });

    it("answers 404 for an unknown prompt", async () => {
      const response = await send("POST", "/api/prompts/999999/rewrite");

      expect(response.status).toBe(404);
    });
  });

  describe("POST /api/prompts/batch", () => {
    it("adds one prompt per line, all of one type", async () => {
      const response = await send("POST", "/api/prompts/batch", {
        type: "haiku",
        text: "first frost\n\nmoon on water\nlast leaf\n",
      });

      expect(response.status).toBe(201);
      const body = await response.json();
      expect(body.count).toBe(3);
      expect(
        body.prompts.map((p: { type: string; text: string }) => [
          p.type,
          p.text,
        ]),
      ).toEqual([
        ["haiku", "first frost"],
        ["haiku", "moon on water"],
        ["haiku", "last leaf"],
      ]);
      for (const p of body.prompts) finish(p.id);
    });

    it("adds CSV rows with their own types and quoted commas", async () => {
      const response = await send("POST", "/api/prompts/batch", {
        csv: 'type,text\npoem,"rain, then sun"\nstory,"she said ""go"""\n',
        priority: 100,
      });

      expect(response.status).toBe(201);
      const { prompts } = await response.json();
      expect(
        prompts.map((p: { type: string; text: string }) => [p.type, p.text]),
      ).toEqual([
        ["poem", "rain, then sun"],
        ["story", 'she said "go"'],
      ]);
      for (const p of prompts) finish(p.id);
    });

    it("refuses the whole batch when one CSV line is bad, naming the line", async () => {
      const before = rowCounts();

      const response = await send("POST", "/api/prompts/batch", {
        csv: "type,text\npoem,fine\nlimerick,a man\npoem,also fine",
      });

      expect(response.status).toBe(400);
      const error = (await response.json()).error;
      expect(error.message).toMatch(
        /^Invalid batch: line 3: unknown type "limerick"/,
      );
      expect(error.message).toMatch(/nothing was added/);
      expect(error.issues).toEqual([
        { path: "line 3", message: expect.stringContaining("limerick") },
      ]);
      expect(rowCounts()).toEqual(before);
    });

    it.each([
      ["limerick,a\npoem,fine\nsonnet,c", "1 more line has errors"],
      ["limerick,a\node,b\npoem,fine\nsonnet,c", "2 more lines have errors"],
    ])(
      "counts the other bad lines as lines, not types: %j",
      async (csv, more) => {
        const response = await send("POST", "/api/prompts/batch", { csv });

        expect(response.status).toBe(400);
        const { message } = (await response.json()).error;
        expect(message).toMatch(
          /^Invalid batch: line 1: unknown type "limerick"; use one of [^;]*; /,
        );
        expect(message).toMatch(new RegExp(`; ${more}; nothing was added\\.$`));
        expect(message).not.toMatch(/and \d+ more/);
      },
    );

    it("refuses 1001 prompts and adds none", async () => {
      const before = rowCounts();
      const text = Array.from({ length: 1001 }, (_, i) => `p${i}`).join("\n");

      const response = await send("POST", "/api/prompts/batch", {
        type: "poem",
        text,
      });

      expect(response.status).toBe(400);
      expect((await errorOf(response)).message).toMatch(
        /line 1001: a batch holds at most 1000 prompts; this one has 1001/,
      );
      expect(rowCounts()).toEqual(before);
    });

    it.each([
      ["no type with plain lines", { text: "a\nb" }, /Invalid batch/],
      ["an unknown field", { csv: "poem,a", type: "poem" }, /Invalid batch/],
      ["an empty batch", { type: "poem", text: "\n\n" }, /no prompts/],
      ["an unclosed quote", { csv: 'poem,"open' }, /line 1: a quoted field/],
    ])("answers 400 for %s", async (_name, body, message) => {
      const before = rowCounts();

      const response = await send("POST", "/api/prompts/batch", body);

      expect(response.status).toBe(400);
      expect((await errorOf(response)).message).toMatch(message);
      expect(rowCounts()).toEqual(before);
    });
  });
});
