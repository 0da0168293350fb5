import fs from "node:fs";
import { supportedExtensions, supportedMimeTypes } from "file-type";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import wavefile from "wavefile";
import { mediaFileTypes } from "@/lib/media-types";
import { readMediaFacts } from "@/worker/media-facts";

function makePng(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(0x80);
  return PNG.sync.write(png);
}

function makeWav(sampleRate: number, sampleCount: number): Buffer {
  const wav = new wavefile.WaveFile();
  const samples = Array.from({ length: sampleCount }, (_, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)),
  );
  wav.fromScratch(1, sampleRate, "16", samples);
  return Buffer.from(wav.toBuffer());
}

// Made from makeWav(8000, 4000) saved to a file, with flac 1.4.2
// (`flac --best`) and LAME 3.100 (`lame -b 8 -m m`).
const fixture = (name: string) =>
  fs.readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

describe("readMediaFacts", () => {
  it("reads a PNG's type and size from its bytes", async () => {
    const facts = await readMediaFacts(makePng(7, 5));

    expect(facts).toEqual({
      kind: "image",
      mimeType: "image/png",
      extension: "png",
      width: 7,
      height: 5,
      durationMs: null,
    });
  });

  it("reads a WAV's type and duration", async () => {
    const facts = await readMediaFacts(makeWav(8000, 4000));

    expect(facts).toEqual({
      kind: "audio",
      mimeType: "audio/wav",
      extension: "wav",
      width: null,
      height: null,
      durationMs: 500,
    });
  });

  it("reads a FLAC's type and duration", async () => {
    const facts = await readMediaFacts(fixture("tone-500ms.flac"));

    expect(facts).toMatchObject({
      kind: "audio",
      mimeType: "audio/flac",
      extension: "flac",
      durationMs: 500,
    });
  });

  it("reads an MP3's type and duration, encoder padding included", async () => {
    const facts = await readMediaFacts(fixture("tone-500ms.mp3"));

    expect(facts).toMatchObject({
      kind: "audio",
      mimeType: "audio/mpeg",
      extension: "mp3",
    });
    expect(facts?.durationMs).toBeGreaterThanOrEqual(500);
    expect(facts?.durationMs).toBeLessThan(700);
  });

  it("refuses HTML bytes, whatever name they were hoped to have", async () => {
    const html = Buffer.from(
      '<!doctype html><html><body><script>alert("png")</script></body></html>',
    );

    expect(await readMediaFacts(html)).toBeNull();
  });

  it("refuses a known type that is not on the allow-list", async () => {
    const pdf = Buffer.from(
      "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\n",
      "latin1",
    );

    expect(await readMediaFacts(pdf)).toBeNull();
  });

  it("refuses an empty file", async () => {
    expect(await readMediaFacts(Buffer.alloc(0))).toBeNull();
  });

  it("rejects a PNG cut short with a clear error", async () => {
    const png = makePng(64, 64);

    await expect(
      readMediaFacts(png.subarray(0, png.length - 20)),
    ).rejects.toMatchObject({
      code: "unsupported_media_type",
      message: expect.stringContaining("png file is damaged or cut short"),
    });
  });

  it("rejects a PNG cut inside its header", async () => {
    const png = makePng(64, 64);

    await expect(readMediaFacts(png.subarray(0, 20))).rejects.toMatchObject({
      code: "unsupported_media_type",
    });
  });

  it("rejects a WAV cut short rather than report the shorter duration", async () => {
    const wav = makeWav(8000, 4000);

    await expect(readMediaFacts(wav.subarray(0, 3000))).rejects.toMatchObject({
      code: "unsupported_media_type",
      message: expect.stringContaining("wav file"),
    });
  });

  it("names every allowed type the way file-type detects it", () => {
    for (const type of mediaFileTypes) {
      expect(supportedExtensions).toContain(type.extension);
      expect(supportedMimeTypes).toContain(type.mimeType);
    }
  });
});
