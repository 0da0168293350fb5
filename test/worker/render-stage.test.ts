import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PNG } from "pngjs";
import wavefile from "wavefile";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { claimNextPrompt, recordWriting, type Claim } from "@/db/claims";
import type { Db } from "@/db/client";
import { createPrompt, getPromptDetail, requeuePrompt } from "@/db/prompts";
import type { MediaType } from "@/lib/prompt-types";
import { runRenderStage } from "@/worker/render-stage";
import { runWriteStage } from "@/worker/write-stage";
import { makeTestDb, type Workspace } from "../helpers/workspace";

const hooks = vi.hoisted(() => ({ beforeRecord: null as (() => void) | null }));

// Lets a test requeue the prompt between rendering and recording.
vi.mock("@/db/claims", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/db/claims")>();
  return {
    ...actual,
    recordArtifacts: (...args: Parameters<typeof actual.recordArtifacts>) => {
      hooks.beforeRecord?.();
      return actual.recordArtifacts(...args);
    },
  };
});

describe("runRenderStage", () => {
  let db: Db;
  let workspace: Workspace;
  let close: () => void;
  beforeEach(() => ({ db, workspace, close } = makeTestDb()));
  afterEach(() => {
    hooks.beforeRecord = null;
    close();
  });

  const signal = new AbortController().signal;
  const claim = () => claimNextPrompt(db, { workerId: "w1", leaseMs: 60_000 })!;
  const context = () => ({ db, signal, artifactsDir: workspace.artifactsDir });
  const filesOnDisk = () =>
    fs.existsSync(workspace.artifactsDir)
      ? fs.readdirSync(workspace.artifactsDir)
      : [];

  async function claimRender(type: MediaType, text: string): Promise<Claim> {
    createPrompt(db, { type, text, priority: 0 });
    await runWriteStage({ db, signal }, claim());
    return claim();
  }

  it("renders an image spec to a PNG and marks the prompt ready", async () => {
    const render = await claimRender("image_prompt", "a lighthouse at dusk");

    const prompt = await runRenderStage(context(), render);

    const [artifact] = getPromptDetail(db, prompt.id)!.artifacts;
    const file = fs.readFileSync(
      path.join(workspace.artifactsDir, artifact.fileName),
    );
    const png = PNG.sync.read(file);
    expect(prompt).toMatchObject({
      status: "completed",
      artifactStatus: "ready",
    });
    expect(artifact).toMatchObject({
      kind: "image",
      mimeType: "image/png",
      backend: "builtin",
      sizeBytes: file.length,
      sha256: createHash("sha256").update(file).digest("hex"),
    });
    expect([png.width, png.height]).toEqual([artifact.width, artifact.height]);
    expect(artifact.fileName).toMatch(
      new RegExp(`^${prompt.id}-[0-9a-f-]+\\.png$`),
    );
    expect(filesOnDisk()).toEqual([artifact.fileName]);
  });

  it("renders a song spec to a WAV of the spec's length", async () => {
    const render = await claimRender("lyrics_prompt", "a folk song");

    const prompt = await runRenderStage(context(), render);

    const { artifacts, writing } = getPromptDetail(db, prompt.id)!;
    const spec = JSON.parse(writing!.content) as { durationSeconds: number };
    const file = fs.readFileSync(
      path.join(workspace.artifactsDir, artifacts[0].fileName),
    );
    const wav = new wavefile.WaveFile(file);
    expect(artifacts[0]).toMatchObject({
      kind: "audio",
      mimeType: "audio/wav",
      durationMs: spec.durationSeconds * 1000,
      sha256: createHash("sha256").update(file).digest("hex"),
    });
    expect((wav.fmt as { sampleRate: number }).sampleRate).toBe(22_050);
  });

  it("refuses a spec that fails the schema, with a readable reason", async () => {
    createPrompt(db, { type: "image_prompt", text: "x", priority: 0 });
    recordWriting(db, claim(), { format: "json", content: "{}", backend: "t" });

    const run = runRenderStage(context(), claim());

    await expect(run).rejects.toThrow(/^the image spec is not valid: title/);
    expect(filesOnDisk()).toEqual([]);
  });

  it("drops the file when the prompt was requeued before recording", async () => {
    const render = await claimRender("image_prompt", "a red balloon");
    hooks.beforeRecord = () => requeuePrompt(db, render.prompt.id);

    const run = runRenderStage(context(), render);

    await expect(run).rejects.toMatchObject({ code: "lease_lost" });
    const detail = getPromptDetail(db, render.prompt.id)!;
    expect(detail.prompt).toMatchObject({
      status: "completed",
      artifactStatus: "pending",
    });
    expect(detail.artifacts).toEqual([]);
    expect(filesOnDisk()).toEqual([]);
  });

  it("writes nothing when the claim's lease token is stale", async () => {
    const render = await claimRender("lyrics_prompt", "a sea shanty");
    const stale = { ...render, leaseToken: "not-the-lease" };

    const run = runRenderStage(context(), stale);

    await expect(run).rejects.toMatchObject({ code: "lease_lost" });
    expect(getPromptDetail(db, render.prompt.id)!.prompt).toMatchObject({
      status: "processing",
      artifactStatus: "processing",
      leaseToken: render.leaseToken,
    });
    expect(filesOnDisk()).toEqual([]);
  });
});
