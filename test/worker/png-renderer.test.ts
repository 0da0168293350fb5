import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import type { ImageSpec } from "@/lib/prompt-types";
import { renderPng } from "@/worker/png-renderer";

const spec: ImageSpec = {
  title: "Lighthouse",
  prompt: "A lighthouse at dusk, watercolor",
  negativePrompt: "blurry",
  style: "watercolor",
  width: 640,
  height: 512,
  seed: 42,
  palette: ["#6c5b7b", "#8e44ad", "#87ceeb"],
};

const render = (s: ImageSpec) => renderPng(s, new AbortController().signal);

describe("renderPng", () => {
  it("draws a PNG of the spec's size", async () => {
    const png = PNG.sync.read(await render(spec));

    expect(png.width).toBe(640);
    expect(png.height).toBe(512);
  });

  it("draws the same pixels for the same spec", async () => {
    expect((await render(spec)).equals(await render(spec))).toBe(true);
  });

  it("draws different pixels for a different seed or palette", async () => {
    const base = PNG.sync.read(await render(spec)).data;
    const reseeded = PNG.sync.read(await render({ ...spec, seed: 43 })).data;
    const recoloured = PNG.sync.read(
      await render({ ...spec, palette: ["#000000", "#ffffff"] }),
    ).data;

    expect(base.equals(reseeded)).toBe(false);
    expect(base.equals(recoloured)).toBe(false);
  });

  it("draws without a palette", async () => {
    const plain = { ...spec, palette: undefined, width: 64, height: 64 };

    const png = PNG.sync.read(await render(plain));

    expect(png.width).toBe(64);
  });

  it("stops when the stage is aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));

    await expect(renderPng(spec, controller.signal)).rejects.toThrow("stop");
  });
});
