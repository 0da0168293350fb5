import type { ArtifactKind } from "./prompt-types";

/** A kind of media file Poets keeps and serves. */
export type MediaFileType = {
  /** The extension Poets names the file with, without the dot. */
  extension: string;
  mimeType: string;
  kind: ArtifactKind;
};

/**
 * The only media files Poets keeps and serves, one extension each: the
 * worker refuses any other file, and the artifacts route serves a file only
 * under one of these extensions, with this table's Content-Type.
 */
export const mediaFileTypes = [
  { extension: "png", mimeType: "image/png", kind: "image" },
  { extension: "jpg", mimeType: "image/jpeg", kind: "image" },
  { extension: "webp", mimeType: "image/webp", kind: "image" },
  { extension: "gif", mimeType: "image/gif", kind: "image" },
  { extension: "wav", mimeType: "audio/wav", kind: "audio" },
  { extension: "flac", mimeType: "audio/flac", kind: "audio" },
  { extension: "mp3", mimeType: "audio/mpeg", kind: "audio" },
  { extension: "ogg", mimeType: "audio/ogg", kind: "audio" },
  { extension: "opus", mimeType: "audio/ogg; codecs=opus", kind: "audio" },
  { extension: "mp4", mimeType: "video/mp4", kind: "video" },
  { extension: "webm", mimeType: "video/webm", kind: "video" },
] as const satisfies readonly MediaFileType[];

export type MediaExtension = (typeof mediaFileTypes)[number]["extension"];

const byExtension = new Map<string, MediaFileType>(
  mediaFileTypes.map((type) => [type.extension, type]),
);

/** The allowed type for an extension (no dot, lower case), or null. */
export function mediaFileTypeByExtension(
  extension: string,
): MediaFileType | null {
  return byExtension.get(extension) ?? null;
}

/** The allowed type a Poets file name ends in, or null. */
export function mediaFileTypeOfName(fileName: string): MediaFileType | null {
  const dot = fileName.lastIndexOf(".");
  if (dot <= 0) return null;
  return mediaFileTypeByExtension(fileName.slice(dot + 1));
}
