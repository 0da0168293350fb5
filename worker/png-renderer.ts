import { PNG } from "pngjs";
import type { ImageSpec } from "../lib/prompt-types";
import { createRandom, hashText, type Random } from "./prng";
import { yieldToEventLoop } from "./yield";

type Rgb = [number, number, number];

type Blob = {
  x: number;
  y: number;
  radius: number;
  colour: Rgb;
  alpha: number;
};

const rowsPerChunk = 64;

/**
 * Paints a spec as an abstract picture: a gradient through its palette
 * with soft discs placed by its seed. Same spec, same pixels.
 */
export async function renderPng(
  spec: ImageSpec,
  signal: AbortSignal,
): Promise<Buffer> {
  const random = createRandom(spec.seed ^ hashText(spec.title + spec.prompt));
  const colours = paletteOf(spec, random);
  const angle = random.next() * Math.PI * 2;
  const blobs = placeBlobs(spec, colours, random);
  const png = new PNG({ width: spec.width, height: spec.height });

  for (let y = 0; y < spec.height; y++) {
    if (y % rowsPerChunk === 0) await yieldToEventLoop(signal);
    const rowBlobs = blobs.filter((b) => Math.abs(b.y - y) < b.radius);
    for (let x = 0; x < spec.width; x++) {
      const colour = gradientAt(spec, colours, angle, x, y);
      for (const blob of rowBlobs) blendBlob(colour, blob, x, y);
      const offset = (y * spec.width + x) * 4;
      png.data[offset] = colour[0];
      png.data[offset + 1] = colour[1];
      png.data[offset + 2] = colour[2];
      png.data[offset + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

function paletteOf(spec: ImageSpec, random: Random): Rgb[] {
  if (spec.palette) return spec.palette.map(parseHex);
  const hue = random.next() * 360;
  return [0, 40, 180].map((shift) => hsl((hue + shift) % 360, 0.5, 0.5));
}

function placeBlobs(spec: ImageSpec, colours: Rgb[], random: Random): Blob[] {
  const shortSide = Math.min(spec.width, spec.height);
  const count = random.int(4, 9);
  return Array.from({ length: count }, (_, i) => ({
    x: random.next() * spec.width,
    y: random.next() * spec.height,
    radius: shortSide * (0.08 + random.next() * 0.22),
    colour: colours[(i + 1) % colours.length],
    alpha: 0.35 + random.next() * 0.4,
  }));
}

function gradientAt(
  spec: ImageSpec,
  colours: Rgb[],
  angle: number,
  x: number,
  y: number,
): Rgb {
  const u = x / spec.width - 0.5;
  const v = y / spec.height - 0.5;
  const t = Math.min(
    1,
    Math.max(0, 0.5 + (u * Math.cos(angle) + v * Math.sin(angle))),
  );
  const scaled = t * (colours.length - 1);
  const i = Math.min(colours.length - 2, Math.floor(scaled));
  return mix(colours[i], colours[i + 1], scaled - i);
}

function blendBlob(colour: Rgb, blob: Blob, x: number, y: number) {
  const distance = Math.hypot(x - blob.x, y - blob.y) / blob.radius;
  if (distance >= 1) return;
  const edge = Math.min(1, (1 - distance) * 4);
  const mixed = mix(colour, blob.colour, blob.alpha * edge);
  colour[0] = mixed[0];
  colour[1] = mixed[1];
  colour[2] = mixed[2];
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)) as Rgb;
}

function parseHex(hex: string): Rgb {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function hsl(hue: number, saturation: number, lightness: number): Rgb {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    const value = lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255);
  };
  return [channel(0), channel(8), channel(4)];
}
