import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import {
  getClaimWriting,
  recordArtifacts,
  reportProgress,
  type ArtifactOutput,
  type Claim,
} from "../db/claims";
import type { Db } from "../db/client";
import type { Prompt } from "../db/schema";
import { AppError, BackendError } from "../lib/errors";
import { ensureWritableFolder } from "../lib/folders";
import {
  isMediaType,
  type ArtifactKind,
  type MediaType,
} from "../lib/prompt-types";
import type { ComfyRenderer } from "./comfyui-renderer";
import { readMediaFacts, type MediaFacts } from "./media-facts";
import { renderPng } from "./png-renderer";
import { parseSpecJson, type SpecByType } from "./spec";
import { renderWav } from "./wav-renderer";

export type RenderStageContext = {
  db: Db;
  signal: AbortSignal;
  artifactsDir: string;
  /** Renders on ComfyUI; without it, the built-in renderers run. */
  comfyui?: ComfyRenderer;
};

/** A file stage 2 made, before Poets names and saves it. */
type RenderedMedia = {
  data: Buffer;
  backend: string;
  sourceName?: string;
};

/**
 * Stage 2: renders the claimed prompt's spec into files under the
 * artifacts folder and records them. If recording fails (a lost lease, say)
 * the files are deleted, so no file exists without its row.
 */
export async function runRenderStage(
  context: RenderStageContext,
  claim: Claim,
): Promise<Prompt> {
  const { db, signal, artifactsDir } = context;
  const media = await withFacts(
    claim.prompt.type,
    await renderMedia(context, claim),
  );
  // Also a lease check before files are written; ComfyUI's own progress
  // has already passed 80.
  if (!reportProgress(db, claim, context.comfyui ? 99 : 80)) {
    throw new AppError("lease_lost", "the lease ended while rendering");
  }
  const saved: string[] = [];

  try {
    const outputs: ArtifactOutput[] = [];
    for (const item of media) {
      const file = await saveArtifactFile(artifactsDir, claim.prompt.id, item);
      saved.push(file.path);
      outputs.push(file.output);
    }
    signal.throwIfAborted();
    return recordArtifacts(db, claim, outputs);
  } catch (error) {
    await Promise.all(saved.map((file) => fs.rm(file, { force: true })));
    throw error;
  }
}

async function renderMedia(
  context: RenderStageContext,
  claim: Claim,
): Promise<RenderedMedia[]> {
  const { db, signal } = context;
  const { type } = claim.prompt;
  if (claim.stage !== "render") {
    throw new Error(`stage 2 cannot run a ${claim.stage} claim`);
  }
  if (!isMediaType(type)) {
    throw new AppError("bad_request", `a ${type} prompt has nothing to render`);
  }
  const writing = getClaimWriting(db, claim);
  if (!writing) {
    throw new AppError("not_found", "the spec to render from is missing");
  }
  const spec = parseSpecJson(type, writing.content);

  if (context.comfyui) {
    const files = await context.comfyui.render({
      db,
      claim,
      type,
      spec,
      signal,
    });
    return files.map((file) => ({ ...file, backend: "comfyui" }));
  }
  const data =
    type === "image_prompt"
      ? await renderPng(spec as SpecByType["image_prompt"], signal)
      : (await renderWav(spec as SpecByType["lyrics_prompt"], signal)).data;
  return [{ data, backend: "builtin" }];
}

/** What a finished render must include for each media type. */
const expectedKinds: Record<MediaType, readonly ArtifactKind[]> = {
  image_prompt: ["image", "video"],
  lyrics_prompt: ["audio"],
};

/**
 * Reads each file's type from its bytes: every file must be a type Poets
 * keeps, and among them must be the kind the prompt asked for (a song
 * workflow that saves only a cover image has not made a song).
 */
async function withFacts(
  type: string,
  media: RenderedMedia[],
): Promise<(RenderedMedia & { facts: MediaFacts })[]> {
  const read = [];
  for (const item of media) {
    const facts = await readMediaFacts(item.data);
    if (!facts) {
      const name = item.sourceName ? ` ${item.sourceName}` : "";
      throw new BackendError(
        "permanent",
        `the render made a file${name} of a type Poets does not keep`,
      );
    }
    read.push({ ...item, facts });
  }
  const wanted = isMediaType(type) ? expectedKinds[type] : [];
  if (!read.some(({ facts }) => wanted.includes(facts.kind))) {
    const made = read.map(({ facts }) => facts.mimeType).join(", ");
    throw new BackendError(
      "permanent",
      `the render made no ${wanted.join(" or ")} file, only ${made}: ` +
        "check the workflow's Save node",
    );
  }
  return read;
}

/**
 * The folder was checked at start; if someone removed it since, it is made
 * again once rather than failing every render.
 */
async function writeFileInFolder(folder: string, file: string, data: Buffer) {
  try {
    await fs.writeFile(file, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    ensureWritableFolder(folder, "artifacts");
    await fs.writeFile(file, data);
  }
}

/**
 * Writes under a temporary name and renames, so a reader never sees half a
 * file. The name is Poets' own, never taken from the prompt or the backend,
 * and its extension comes from the bytes, which must be an allowed type.
 */
async function saveArtifactFile(
  artifactsDir: string,
  promptId: number,
  media: RenderedMedia & { facts: MediaFacts },
) {
  const { facts } = media;
  const fileName = `${promptId}-${randomUUID()}.${facts.extension}`;
  const finalPath = path.join(artifactsDir, fileName);
  const tempPath = path.join(artifactsDir, `.${fileName}.tmp`);

  try {
    await writeFileInFolder(artifactsDir, tempPath, media.data);
    await fs.rename(tempPath, finalPath);
  } catch (error) {
    await fs.rm(tempPath, { force: true });
    throw error;
  }
  const sha256 = createHash("sha256").update(media.data).digest("hex");
  const output: ArtifactOutput = {
    kind: facts.kind,
    mimeType: facts.mimeType,
    width: facts.width,
    height: facts.height,
    durationMs: facts.durationMs,
    backend: media.backend,
    sourceName: media.sourceName ?? null,
    fileName,
    sizeBytes: media.data.length,
    sha256,
  };
  return { path: finalPath, output };
}
