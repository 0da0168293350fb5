import fs from "node:fs";
import path from "node:path";
import type { Artifact } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { mediaFileTypeOfName, type MediaFileType } from "@/lib/media-types";

export type ArtifactFile = {
  handle: fs.promises.FileHandle;
  size: number;
  type: MediaFileType;
};

/**
 * Opens an artifact's file for serving, only when its name is one Poets
 * makes (a plain name with an allowed extension) and its real path, with
 * every symlink resolved, lies inside the artifacts folder. The caller
 * closes the handle.
 */
export async function openArtifactFile(
  artifactsDir: string,
  artifact: Artifact,
): Promise<ArtifactFile> {
  const { id, fileName } = artifact;
  const type = checkFileName(artifact);
  const realPath = await resolveInside(artifactsDir, id, fileName);

  // O_NOFOLLOW: a symlink swapped in after resolving is refused, not followed.
  const handle = await fs.promises
    .open(realPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW)
    .catch((error: unknown) => {
      throw missing(id, error);
    });
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw missing(id);
  }
  return { handle, size: stats.size, type };
}

/** The name the browser is told, from Poets' own file name. */
export function safeDownloadName(fileName: string): string {
  return fileName.replace(/[^A-Za-z0-9._-]/g, "_");
}

function checkFileName(artifact: Artifact): MediaFileType {
  const { id, fileName } = artifact;
  const isPlainName =
    fileName === path.basename(fileName) &&
    !fileName.includes("\\") &&
    !fileName.includes("\0") &&
    !fileName.startsWith(".");
  if (!isPlainName) {
    throw refused(id, "its file name is not one Poets makes", { fileName });
  }
  const type = mediaFileTypeOfName(fileName);
  if (!type) {
    throw refused(id, "its file is not of a type Poets serves", { fileName });
  }
  return type;
}

async function resolveInside(
  artifactsDir: string,
  id: number,
  fileName: string,
): Promise<string> {
  let realDir: string;
  let realPath: string;
  try {
    realDir = await fs.promises.realpath(artifactsDir);
    realPath = await fs.promises.realpath(path.join(realDir, fileName));
  } catch (error) {
    throw missing(id, error);
  }
  const relative = path.relative(realDir, realPath);
  const isInside =
    relative !== "" &&
    !relative.startsWith(`..${path.sep}`) &&
    relative !== ".." &&
    !path.isAbsolute(relative);
  if (!isInside) {
    throw refused(id, "its file lies outside the artifacts folder", {
      realPath,
    });
  }
  return realPath;
}

/** Logged as a warning: a row or a file someone may have tampered with. */
function refused(id: number, why: string, fields: object): AppError {
  log.warn({ artifactId: id, ...fields }, "artifact file refused");
  return new AppError("not_found", `artifact ${id} cannot be served: ${why}`);
}

function missing(id: number, cause?: unknown): AppError {
  return new AppError(
    "not_found",
    `the file of artifact ${id} is missing`,
    undefined,
    { cause },
  );
}
