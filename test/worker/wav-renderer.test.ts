import wavefile from "wavefile";
import { describe, expect, it } from "vitest";
import type { SongSpec } from "@/lib/prompt-types";
import { renderWav, wavSampleRate } from "@/worker/wav-renderer";

const spec: SongSpec = {
  title: "Folk Song",
  genre: "folk",
  tags: ["folk"],
  tempoBpm: 96,
  durationSeconds: 8,
  key: "A minor",
  seed: 42,
  lyrics: [
    { label: "verse", lines: ["I packed the suitcase"] },
    { label: "chorus", lines: ["Oh, folk song"] },
  ],
};

const render = (s: SongSpec) => renderWav(s, new AbortController().signal);

function readWav(data: Buffer) {
  const wav = new wavefile.WaveFile(data);
  const fmt = wav.fmt as {
    sampleRate: number;
    numChannels: number;
    bitsPerSample: number;
  };
  return { fmt, samples: wav.getSamples(false, Float64Array) as Float64Array };
}

describe("renderWav", () => {
  it("writes a mono 16-bit WAV as long as the spec says", async () => {
    const { data, durationMs } = await render(spec);
    const { fmt, samples } = readWav(data);

    expect(fmt).toMatchObject({
      sampleRate: wavSampleRate,
      numChannels: 1,
      bitsPerSample: 16,
    });
    expect(samples.length).toBe(8 * wavSampleRate);
    expect(durationMs).toBe(8000);
  });

  it("is not silent", async () => {
    const { samples } = readWav((await render(spec)).data);
    const peak = samples.reduce((max, s) => Math.max(max, Math.abs(s)), 0);

    expect(peak).toBeGreaterThan(1000);
  });

  it("plays the same for the same spec and differently otherwise", async () => {
    const base = (await render(spec)).data;

    expect((await render(spec)).data.equals(base)).toBe(true);
    for (const change of [
      { seed: 43 },
      { key: "F# major" },
      { tempoBpm: 140 },
    ]) {
      expect((await render({ ...spec, ...change })).data.equals(base)).toBe(
        false,
      );
    }
  });

  it("accepts keys it cannot read", async () => {
    const { durationMs } = await render({
      ...spec,
      key: "modal ?",
      durationSeconds: 1.5,
    });

    expect(durationMs).toBe(1500);
  });

  it("stops when the stage is aborted", async () => {
    await expect(
      renderWav(spec, AbortSignal.abort(new Error("stop"))),
    ).rejects.toThrow("stop");
  });
});
