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
import { AppError } from "../lib/errors";
import { ensureWritableFolder } from "../lib/folders";
import { isMediaType } from "../lib/prompt-types";
import { renderPng } from "./png-renderer";
import { parseSpecJson } from "./spec";
import { renderWav } from "./wav-renderer";

export type RenderStageContext = {
  db: Db;
  signal: AbortSignal;
  artifactsDir: string;
};

type RenderedMedia = {
  data: Buffer;
  extension: string;
  facts: Omit<ArtifactOutput, "fileName" | "sizeBytes" | "sha256">;
};

/**
 * Stage 2: renders the claimed prompt's spec into a file under the
 * artifacts folder and records it. If recording fails (a lost lease, say)
 * the file is deleted, so no file exists without its row.
 */
export async function runRenderStage(
  context: RenderStageContext,
  claim: Claim,
): Promise<Prompt> {
  const { db, signal, artifactsDir } = context;
  const media = await renderMedia(db, claim, signal);
  if (!reportProgress(db, claim, 80)) {
    throw new AppError("lease_lost", "the lease ended while rendering");
  }
  const file = await saveArtifactFile(artifactsDir, claim.prompt.id, media);

  try {
    signal.throwIfAborted();
    return recordArtifacts(db, claim, [{ ...media.facts, ...file.output }]);
  } catch (error) {
    await fs.rm(file.path, { force: true });
    throw error;
  }
}

async function renderMedia(
  db: Db,
  claim: Claim,
  signal: AbortSignal,
): Promise<RenderedMedia> {
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

  if (type === "image_prompt") {
    const spec = parseSpecJson(type, writing.content);
    return {
      data: await renderPng(spec, signal),
      extension: "png",
      facts: {
        kind: "image",
        mimeType: "image/png",
        width: spec.width,
        height: spec.height,
        backend: "builtin",
      },
    };
  }
  const spec = parseSpecJson(type, writing.content);
  const { data, durationMs } = await renderWav(spec, signal);
  return {
    data,
    extension: "wav",
    facts: {
      kind: "audio",
      mimeType: "audio/wav",
      durationMs,
      backend: "builtin",
    },
  };
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
 * file. The name is Poets' own, never taken from the prompt.
 */
async function saveArtifactFile(
  artifactsDir: string,
  promptId: number,
  media: RenderedMedia,
) {
  const fileName = `${promptId}-${randomUUID()}.${media.extension}`;
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
  return {
    path: finalPath,
    output: { fileName, sizeBytes: media.data.length, sha256 },
  };
}
