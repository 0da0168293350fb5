import { fileTypeFromBuffer } from "file-type";
import { imageSize } from "image-size";
import { parseBuffer } from "music-metadata";
import { AppError } from "../lib/errors";
import {
  mediaFileTypeByExtension,
  type MediaFileType,
} from "../lib/media-types";

/** What a media file's own bytes say about it. */
export type MediaFacts = MediaFileType & {
  width: number | null;
  height: number | null;
  durationMs: number | null;
};

type Size = Pick<MediaFacts, "width" | "height">;

/**
 * Reads a media file's type and facts from its bytes, never from a name.
 * Null when the bytes are not one of Poets' allowed types (lib/media-types);
 * throws an unsupported_media_type AppError when they start as an allowed
 * type but are cut short or unreadable.
 */
export async function readMediaFacts(data: Buffer): Promise<MediaFacts | null> {
  const detected = await fileTypeFromBuffer(data);
  const type = detected ? mediaFileTypeByExtension(detected.ext) : null;
  if (!type) return null;

  if (type.kind === "image") {
    checkImageIsWhole(data, type);
    return { ...type, ...readImageSize(data, type), durationMs: null };
  }
  checkRiffIsWhole(data, type);
  return { ...type, ...(await readPlayable(data, type)) };
}

function readImageSize(data: Buffer, type: MediaFileType): Size {
  try {
    const { width, height } = imageSize(data);
    return { width, height };
  } catch (error) {
    throw broken(type, "its width and height cannot be read", error);
  }
}

/** Reads duration for audio and video, and width and height when given. */
async function readPlayable(
  data: Buffer,
  type: MediaFileType,
): Promise<Size & { durationMs: number | null }> {
  let metadata;
  try {
    metadata = await parseBuffer(
      data,
      { mimeType: type.mimeType, size: data.length },
      { duration: true, skipCovers: true },
    );
  } catch (error) {
    throw broken(type, "it cannot be parsed", error);
  }

  const seconds = metadata.format.duration;
  const hasDuration = seconds !== undefined && Number.isFinite(seconds);
  // A video may leave its duration out (a recorder's WebM does); audio may not.
  if (!hasDuration && type.kind === "audio") {
    throw broken(type, "its duration cannot be read");
  }
  const video = metadata.format.trackInfo.find((track) => track.video)?.video;
  return {
    width: video?.pixelWidth ?? null,
    height: video?.pixelHeight ?? null,
    durationMs: hasDuration ? Math.round(seconds * 1000) : null,
  };
}

const pngEnd = Buffer.from("0000000049454e44ae426082", "hex");

/** Whether an image ends the way its format must end; WebP has no ending. */
const hasImageEnding: Record<string, (data: Buffer) => boolean> = {
  png: (data) => data.subarray(-pngEnd.length).equals(pngEnd),
  jpg: (data) => data.at(-2) === 0xff && data.at(-1) === 0xd9,
  gif: (data) => data.at(-1) === 0x3b,
};

/**
 * The header alone gives an image's size, so a file cut short would pass;
 * its format's fixed ending, or RIFF's declared length, shows it is whole.
 */
function checkImageIsWhole(data: Buffer, type: MediaFileType) {
  const hasEnding = hasImageEnding[type.extension];
  if (hasEnding && !hasEnding(data)) {
    throw broken(type, "it stops before the end its format requires");
  }
  checkRiffIsWhole(data, type);
}

/** WAV and WebP files say their length in their first eight bytes. */
function checkRiffIsWhole(data: Buffer, type: MediaFileType) {
  if (type.extension !== "wav" && type.extension !== "webp") return;
  const declaredBytes = data.readUInt32LE(4) + 8;
  if (declaredBytes > data.length) {
    throw broken(
      type,
      `it says it holds ${declaredBytes} bytes but has ${data.length}`,
    );
  }
}

function broken(type: MediaFileType, why: string, cause?: unknown): AppError {
  return new AppError(
    "unsupported_media_type",
    `the ${type.extension} file is damaged or cut short: ${why}`,
    undefined,
    { cause },
  );
}
