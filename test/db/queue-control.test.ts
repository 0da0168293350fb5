import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  claimNextPrompt,
  recordArtifacts,
  recordWriting,
  type Claim,
} from "@/db/claims";
import {
  cancelPrompt,
  createPrompt,
  getPrompt,
  getPromptDetail,
  listPromptHistory,
  requeuePrompt,
} from "@/db/prompts";
import {
  createPromptBatch,
  editPrompt,
  getStagePauses,
  movePromptToTop,
  pauseStage,
  rerenderPrompt,
  resumeStage,
  rewritePrompt,
} from "@/db/queue-control";
import { promptEvents, prompts, settings } from "@/db/schema";
import { failStage } from "@/db/stage-failures";
import { openDatabase } from "@/db/client";
import type { PromptType } from "@/lib/prompt-types";
import { makeTestDb, type Workspace } from "../helpers/workspace";

const spec = JSON.stringify({ title: "Lighthouse" });

describe("queue control", () => {
  let db: Db;
  let workspace: Workspace;
  let close: () => void;
  beforeEach(() => ({ db, workspace, close } = makeTestDb()));
  afterEach(() => close());

  const add = (type: PromptType = "poem", text = "rain", priority = 0) =>
    createPrompt(db, { type, text, priority });
  const claim = (stage?: "write" | "render") =>
    claimNextPrompt(db, { workerId: "w", leaseMs: 60_000, stage });
  const write = (held: Claim, format: "text" | "json" = "text") =>
    recordWriting(db, held, {
      format,
      content: format === "json" ? spec : "lines",
      backend: "t",
    });
  const render = (held: Claim, name: string) =>
    recordArtifacts(db, held, [
      {
        kind: "image",
        mimeType: "image/png",
        fileName: name,
        sizeBytes: 1,
        sha256: "x",
        backend: "t",
      },
    ]);
  /** A media prompt through both stages. */
  const finishedImage = () => {
    const prompt = add("image_prompt", "a lighthouse at dusk");
    write(claim("write")!, "json");
    render(claim("render")!, `${prompt.id}-a.png`);
    return getPrompt(db, prompt.id)!;
  };
  const eventCount = () =>
    db.select({ n: count() }).from(promptEvents).get()!.n;
  const lastEvent = (promptId: number) =>
    getPromptDetail(db, promptId)!.events.at(-1)!;

  describe("stage pauses", () => {
    it("claims no prompt of a paused stage, and claims it again once resumed", () => {
      const prompt = add();

      pauseStage(db, "write");
      const whilePaused = claim();
      resumeStage(db, "write");
      const afterResume = claim();

      expect(whilePaused).toBeNull();
      expect(getPrompt(db, prompt.id)!.status).toBe("processing");
      expect(afterResume?.prompt.id).toBe(prompt.id);
    });

    it("keeps rendering while writing is paused, and the other way round", () => {
      add("image_prompt", "a lighthouse at dusk");
      write(claim("write")!, "json");
      const waiting = add();

      pauseStage(db, "write");
      const rendered = claim();
      resumeStage(db, "write");
      pauseStage(db, "render");
      const written = claim();

      expect(rendered?.stage).toBe("render");
      expect(written?.stage).toBe("write");
      expect(written?.prompt.id).toBe(waiting.id);
    });

    it("lets a stage already running finish while its stage is paused", () => {
      add();
      const running = claim()!;

      pauseStage(db, "write");
      const finished = write(running);

      expect(finished.status).toBe("completed");
    });

    it("keeps a pause across a new connection, as after a restart", () => {
      const since = new Date("2026-03-01T10:00:00Z");
      pauseStage(db, "render", since);

      const reopened = openDatabase(workspace.dbPath);
      const pauses = getStagePauses(reopened);
      reopened.$client.close();

      expect(pauses).toEqual({
        write: { paused: false, since: null },
        render: { paused: true, since },
      });
    });

    it("keeps the first time when a paused stage is paused again", () => {
      const first = new Date("2026-03-01T10:00:00Z");
      pauseStage(db, "write", first);

      const again = pauseStage(db, "write", new Date("2026-03-01T11:00:00Z"));

      expect(again).toEqual({ paused: true, since: first });
      expect(db.select().from(settings).all()).toHaveLength(1);
    });

    it("stores the pause under pause.<stage> as JSON", () => {
      pauseStage(db, "write", new Date("2026-03-01T10:00:00Z"));

      const row = db
        .select()
        .from(settings)
        .where(eq(settings.key, "pause.write"))
        .get();

      expect(row?.value).toEqual({
        paused: true,
        since: "2026-03-01T10:00:00.000Z",
      });
    });
  });

  describe("editPrompt", () => {
    it("changes the text and type of a prompt not yet started, with one event", () => {
      const prompt = add("poem", "rain");
      const before = eventCount();

      const edited = editPrompt(db, prompt.id, {
        text: "snow",
        type: "haiku",
      });

      expect(edited).toMatchObject({
        text: "snow",
        type: "haiku",
        status: "unprocessed",
      });
      expect(eventCount()).toBe(before + 1);
      expect(lastEvent(prompt.id)).toMatchObject({
        reason: "edited",
        fromStatus: "unprocessed",
        toStatus: "unprocessed",
        detail: "type poem → haiku; text changed",
      });
      expect(edited.lastEventId).toBe(lastEvent(prompt.id).id);
    });

    it("refuses to edit the text of a prompt being written, and changes nothing", () => {
      const prompt = add();
      claim();
      const before = getPrompt(db, prompt.id);
      const events = eventCount();

      expect(() => editPrompt(db, prompt.id, { text: "snow" })).toThrow(
        expect.objectContaining({
          code: "conflict",
          message: expect.stringMatching(/is being written; only the text/),
        }),
      );
      expect(getPrompt(db, prompt.id)).toEqual(before);
      expect(eventCount()).toBe(events);
    });

    it("refuses to edit a queued prompt that was already tried", () => {
      const prompt = add();
      db.update(prompts)
        .set({ attempts: 2 })
        .where(eq(prompts.id, prompt.id))
        .run();

      expect(() => editPrompt(db, prompt.id, { type: "story" })).toThrow(
        /has already been tried \(2 attempts\)/,
      );
    });

    it("refuses to edit a prompt queued to be written again, which has writings", () => {
      const prompt = add();
      write(claim()!);
      rewritePrompt(db, prompt.id);

      expect(() => editPrompt(db, prompt.id, { text: "snow" })).toThrow(
        /already has a writing/,
      );
    });

    it("allows editing a prompt requeued before it wrote anything", () => {
      const prompt = add();
      failStage(db, claim()!, "permanent: refused");
      requeuePrompt(db, prompt.id);

      const edited = editPrompt(db, prompt.id, { text: "kinder words" });

      expect(edited.text).toBe("kinder words");
    });

    it("changes the priority of a prompt waiting for either stage", () => {
      const queued = add();
      const image = add("image_prompt", "a lighthouse at dusk", 5);
      write(claim()!, "json");

      editPrompt(db, queued.id, { priority: 7 });
      const pending = editPrompt(db, image.id, { priority: -3 });

      expect(getPrompt(db, queued.id)!.priority).toBe(7);
      expect(pending).toMatchObject({
        priority: -3,
        status: "completed",
        artifactStatus: "pending",
      });
      expect(lastEvent(image.id)).toMatchObject({
        reason: "priority changed",
        detail: "priority 5 → -3",
      });
    });

    it("refuses to change the priority of a finished prompt", () => {
      const prompt = add();
      write(claim()!);

      expect(() => editPrompt(db, prompt.id, { priority: 3 })).toThrow(
        /is finished; only a prompt waiting for a stage/,
      );
      expect(getPrompt(db, prompt.id)!.priority).toBe(0);
    });

    it("records nothing when nothing would change", () => {
      const prompt = add("poem", "rain");
      const events = eventCount();

      const same = editPrompt(db, prompt.id, { text: "rain", priority: 0 });

      expect(same.lastEventId).toBe(prompt.lastEventId);
      expect(eventCount()).toBe(events);
    });

    it("refuses an edit of a running prompt even when the text is the same", () => {
      const prompt = add("poem", "rain");
      claim();

      expect(() => editPrompt(db, prompt.id, { text: "rain" })).toThrow(
        expect.objectContaining({ code: "conflict" }),
      );
    });

    it("reports an unknown prompt as not found", () => {
      expect(() => editPrompt(db, 999, { text: "x" })).toThrow(
        expect.objectContaining({ code: "not_found" }),
      );
    });
  });

  describe("movePromptToTop", () => {
    it("puts a waiting prompt one above the highest waiting priority, so it is claimed next", () => {
      add("poem", "a", 4);
      add("poem", "b", 9);
      const last = add("poem", "c", -2);

      const moved = movePromptToTop(db, last.id);

      expect(moved.priority).toBe(10);
      expect(lastEvent(last.id)).toMatchObject({
        reason: "moved to top",
        detail: "priority -2 → 10",
      });
      expect(claim()?.prompt.id).toBe(last.id);
    });

    it("counts prompts waiting to render as waiting too", () => {
      add("image_prompt", "a lighthouse at dusk", 20);
      write(claim()!, "json");
      const poem = add();

      expect(movePromptToTop(db, poem.id).priority).toBe(21);
    });

    it("leaves a prompt already alone at the top as it is", () => {
      add("poem", "a", 1);
      const top = add("poem", "b", 5);
      const events = eventCount();

      expect(movePromptToTop(db, top.id).priority).toBe(5);
      expect(eventCount()).toBe(events);
    });

    it("moves a prompt tied at the top above the older one", () => {
      const older = add("poem", "a", 5);
      const newer = add("poem", "b", 5);

      movePromptToTop(db, newer.id);

      expect(claim()?.prompt.id).toBe(newer.id);
      expect(getPrompt(db, older.id)!.priority).toBe(5);
    });

    it("never moves past the highest priority the API accepts, and keeps the order below", () => {
      const first = add("poem", "a", 100);
      const second = add("poem", "b", 99);
      const apart = add("poem", "c", 50);
      const moved = add("poem", "d", 0);

      const result = movePromptToTop(db, moved.id);
      const again = movePromptToTop(db, second.id);

      expect(result.priority).toBe(100);
      expect(again.priority).toBe(100);
      expect(getPrompt(db, first.id)!.priority).toBe(98);
      expect(getPrompt(db, moved.id)!.priority).toBe(99);
      expect(getPrompt(db, apart.id)!.priority).toBe(50);
      expect(lastEvent(first.id)).toMatchObject({
        reason: "made room at the top",
        detail: "priority 99 → 98",
      });
      expect(
        [claim(), claim(), claim(), claim()].map((c) => c?.prompt.id),
      ).toEqual([second.id, moved.id, first.id, apart.id]);
    });

    it("refuses a prompt that is not waiting", () => {
      const prompt = add();
      claim();

      expect(() => movePromptToTop(db, prompt.id)).toThrow(
        expect.objectContaining({ code: "conflict" }),
      );
      expect(() => movePromptToTop(db, 999)).toThrow(
        expect.objectContaining({ code: "not_found" }),
      );
    });
  });

  describe("createPromptBatch", () => {
    it("adds every prompt with its submitted event, in order", () => {
      const added = createPromptBatch(
        db,
        [
          { type: "poem", text: "one" },
          { type: "image_prompt", text: "two" },
          { type: "haiku", text: "three" },
        ],
        { priority: 2 },
      );

      expect(added.map((p) => [p.type, p.text, p.priority])).toEqual([
        ["poem", "one", 2],
        ["image_prompt", "two", 2],
        ["haiku", "three", 2],
      ]);
      for (const prompt of added) {
        const { events } = getPromptDetail(db, prompt.id)!;
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({
          reason: "submitted",
          toStatus: "unprocessed",
          detail: "one of a batch of 3",
        });
        expect(prompt.lastEventId).toBe(events[0].id);
      }
    });

    it("adds none when one insert fails", () => {
      // NOT NULL fails the second insert, after the first one ran.
      const bad = { type: "poem" as PromptType, text: null as never };

      expect(() =>
        createPromptBatch(db, [{ type: "poem", text: "fine" }, bad]),
      ).toThrow();

      expect(db.select({ n: count() }).from(prompts).get()!.n).toBe(0);
      expect(eventCount()).toBe(0);
    });
  });

  describe("rerenderPrompt", () => {
    it("renders a finished image again from a copy of its spec, keeping the old file in its history", () => {
      const prompt = finishedImage();
      const firstWriting = prompt.outputReference!;

      const queued = rerenderPrompt(db, prompt.id);
      const again = claim()!;
      render(again, `${prompt.id}-b.png`);

      expect(queued).toMatchObject({
        status: "completed",
        artifactStatus: "pending",
        attempts: 0,
      });
      expect(again.stage).toBe("render");
      const detail = getPromptDetail(db, prompt.id)!;
      expect(detail.prompt.artifactStatus).toBe("ready");
      expect(detail.writing).toMatchObject({ content: spec });
      expect(detail.writing!.id).not.toBe(firstWriting);
      expect(detail.artifacts.map((a) => a.fileName)).toEqual([
        `${prompt.id}-b.png`,
      ]);
      const history = listPromptHistory(db, prompt.id);
      expect(history.map((h) => h.writing.id)).toEqual([firstWriting]);
      expect(history[0].artifacts.map((a) => a.fileName)).toEqual([
        `${prompt.id}-a.png`,
      ]);
      expect(detail.events.map((e) => e.reason)).toContain(
        "re-rendering requested",
      );
    });

    it("refuses a prompt whose render has not finished, and a text prompt", () => {
      const image = add("image_prompt", "a lighthouse at dusk");
      write(claim()!, "json");
      const poem = add();
      write(claim("write")!);
      const events = eventCount();

      expect(() => rerenderPrompt(db, image.id)).toThrow(
        /is waiting to be rendered; only a media prompt whose render finished/,
      );
      expect(() => rerenderPrompt(db, poem.id)).toThrow(
        expect.objectContaining({ code: "conflict" }),
      );
      expect(() => rerenderPrompt(db, 999)).toThrow(
        expect.objectContaining({ code: "not_found" }),
      );
      expect(eventCount()).toBe(events);
    });
  });

  describe("rewritePrompt", () => {
    it("writes a finished poem again with a new seed, the old writing kept", () => {
      const prompt = add();
      write(claim()!);
      const first = getPrompt(db, prompt.id)!;

      const queued = rewritePrompt(db, prompt.id);
      const again = claim()!;
      recordWriting(db, again, {
        format: "text",
        content: "new lines",
        backend: "t",
      });

      expect(queued).toMatchObject({
        status: "unprocessed",
        outputReference: null,
        attempts: 0,
      });
      expect(queued.seed).not.toBe(first.seed);
      const detail = getPromptDetail(db, prompt.id)!;
      expect(detail.writing?.content).toBe("new lines");
      expect(detail.prompt.outputReference).toBe(detail.writing!.id);
      expect(
        listPromptHistory(db, prompt.id).map((h) => h.writing.content),
      ).toEqual(["lines"]);
      expect(lastEvent(prompt.id).reason).toBe("writing finished");
    });

    it("writes a finished image's spec again and renders it, both earlier outputs kept", () => {
      const prompt = finishedImage();

      rewritePrompt(db, prompt.id);
      write(claim()!, "json");
      render(claim()!, `${prompt.id}-b.png`);

      const detail = getPromptDetail(db, prompt.id)!;
      expect(detail.prompt).toMatchObject({
        status: "completed",
        artifactStatus: "ready",
      });
      expect(detail.artifacts.map((a) => a.fileName)).toEqual([
        `${prompt.id}-b.png`,
      ]);
      const history = listPromptHistory(db, prompt.id);
      expect(history).toHaveLength(1);
      expect(history[0].artifacts.map((a) => a.fileName)).toEqual([
        `${prompt.id}-a.png`,
      ]);
    });

    it("writes again a media prompt whose render failed", () => {
      const prompt = add("image_prompt", "a lighthouse at dusk");
      write(claim()!, "json");
      failStage(db, claim()!, "permanent: bad spec");

      const queued = rewritePrompt(db, prompt.id);

      expect(queued).toMatchObject({
        status: "unprocessed",
        artifactStatus: null,
        lastError: null,
      });
    });

    it("refuses a prompt that is queued, running or cancelled", () => {
      const running = add();
      claim();
      const queued = add();
      const cancelled = add();
      cancelPrompt(db, cancelled.id);
      const events = eventCount();

      expect(() => rewritePrompt(db, queued.id)).toThrow(
        /is waiting to be written; only a finished prompt/,
      );
      expect(() => rewritePrompt(db, running.id)).toThrow(/is being written/);
      expect(() => rewritePrompt(db, cancelled.id)).toThrow(/is cancelled/);
      expect(eventCount()).toBe(events);
    });
  });
});
