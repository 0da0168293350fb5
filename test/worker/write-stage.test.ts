import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimNextPrompt, type Claim } from "@/db/claims";
import type { Db } from "@/db/client";
import { createPrompt, getPromptDetail, requeuePrompt } from "@/db/prompts";
import type { NewPromptInput } from "@/lib/prompt-types";
import { imageSpecSchema, songSpecSchema } from "@/lib/prompt-types";
import { offlineWriter } from "@/worker/offline-writer";
import { runWriteStage, type Writer } from "@/worker/write-stage";
import { makeTestDb } from "../helpers/workspace";

describe("runWriteStage", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  const signal = new AbortController().signal;
  const claimNew = (input: Omit<NewPromptInput, "priority">): Claim => {
    createPrompt(db, { ...input, priority: 0 });
    return claimNextPrompt(db, { workerId: "w1", leaseMs: 60_000 })!;
  };

  it("writes a text prompt and completes it", async () => {
    const claim = claimNew({ type: "poem", text: "rain on a tin roof" });

    const prompt = await runWriteStage({ db, signal }, claim);

    const detail = getPromptDetail(db, claim.prompt.id)!;
    expect(prompt).toMatchObject({ status: "completed", artifactStatus: null });
    expect(detail.writing).toMatchObject({
      format: "text",
      backend: "builtin",
    });
    expect(detail.writing!.content).toContain("tin roof");
  });

  it("writes a valid JSON spec for image and song prompts", async () => {
    const image = claimNew({ type: "image_prompt", text: "a lighthouse" });
    const song = claimNew({ type: "lyrics_prompt", text: "a folk song" });

    await runWriteStage({ db, signal }, image);
    await runWriteStage({ db, signal }, song);

    const imageDetail = getPromptDetail(db, image.prompt.id)!;
    const songDetail = getPromptDetail(db, song.prompt.id)!;
    expect(imageDetail.prompt).toMatchObject({
      status: "completed",
      artifactStatus: "pending",
    });
    expect(imageDetail.writing!.format).toBe("json");
    imageSpecSchema.parse(JSON.parse(imageDetail.writing!.content));
    songSpecSchema.parse(JSON.parse(songDetail.writing!.content));
  });

  it("refuses a render claim", async () => {
    const claim = claimNew({ type: "poem", text: "rain" });

    const run = runWriteStage({ db, signal }, { ...claim, stage: "render" });

    await expect(run).rejects.toThrow(/stage 1 cannot run a render claim/);
  });

  it("refuses a spec that fails the schema", async () => {
    const writer: Writer = {
      ...offlineWriter,
      writeSpec: async () => ({ title: "x", width: 13 }),
    };
    const claim = claimNew({ type: "image_prompt", text: "a lighthouse" });

    const run = runWriteStage({ db, signal, writer }, claim);

    await expect(run).rejects.toMatchObject({
      code: "validation_failed",
      message: expect.stringMatching(/^the image spec is not valid: .*width/),
    });
    expect(getPromptDetail(db, claim.prompt.id)!.writing).toBeNull();
  });

  it("drops the writing when the prompt was requeued meanwhile", async () => {
    const writer: Writer = {
      ...offlineWriter,
      async writeText(input, s) {
        requeuePrompt(db, claim.prompt.id);
        return offlineWriter.writeText(input, s);
      },
    };
    const claim = claimNew({ type: "poem", text: "rain" });

    const run = runWriteStage({ db, signal, writer }, claim);

    await expect(run).rejects.toMatchObject({ code: "lease_lost" });
    const detail = getPromptDetail(db, claim.prompt.id)!;
    expect(detail.prompt).toMatchObject({ status: "unprocessed" });
    expect(detail.writing).toBeNull();
    expect(detail.events.at(-1)!.reason).toBe("requeued");
  });
});
