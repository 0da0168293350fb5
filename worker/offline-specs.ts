import type { ImageSpec, LyricSection, SongSpec } from "../lib/prompt-types";
import { fillTemplate, templatesByLanguage } from "./offline-templates";
import { gatherMaterial, shuffled, slotsFor } from "./offline-material";
import { hashText, type Random } from "./prng";
import { capitalize, titleCase, type Language } from "./words";

type LyricLabel = LyricSection["label"];

const maxSpecPromptChars = 1500;

const knownStyles = [
  "watercolor",
  "oil painting",
  "isometric",
  "cinematic",
  "minimalist",
  "botanical illustration",
  "poster",
  "pixel art",
  "ink drawing",
  "photograph",
];
const fallbackStyles = [
  "watercolor",
  "soft pastel illustration",
  "ink and wash",
  "oil painting",
  "flat vector art",
];

const colourWords: Record<string, string> = {
  red: "#c0392b",
  orange: "#e67e22",
  yellow: "#f1c40f",
  gold: "#d4a017",
  green: "#27ae60",
  teal: "#16a085",
  blue: "#2e86c1",
  navy: "#1b2a49",
  purple: "#8e44ad",
  violet: "#7d3c98",
  pink: "#e91e63",
  white: "#f5f5f0",
  black: "#1a1a1a",
  grey: "#7f8c8d",
  gray: "#7f8c8d",
  brown: "#8d6e63",
  dusk: "#6c5b7b",
  dawn: "#f8b195",
  night: "#0b1d3a",
  sunset: "#f67280",
  sea: "#1f6f8b",
  ocean: "#1f6f8b",
  sky: "#87ceeb",
  neon: "#39ff14",
  rain: "#5d7b8a",
  snow: "#eef3f7",
  fire: "#e25822",
  forest: "#2d5a27",
  rouge: "#c0392b",
  bleu: "#2e86c1",
  vert: "#27ae60",
  noir: "#1a1a1a",
  mer: "#1f6f8b",
  雨: "#5d7b8a",
  夜: "#0b1d3a",
  海: "#1f6f8b",
  赤: "#c0392b",
};

/** An image spec from the prompt's words: its colours, style and shape. */
export function writeImageSpec(text: string, seed: number): ImageSpec {
  const { language, pool, random } = gatherMaterial(text, seed);
  const lower = text.toLocaleLowerCase();
  const style =
    knownStyles.find((s) => lower.includes(s)) ?? random.pick(fallbackStyles);
  const [width, height] = pickSize(lower, random);
  const subject = Array.from(text.trim().replace(/\s+/gu, " "))
    .slice(0, maxSpecPromptChars)
    .join("");

  return {
    title: titleCase(pool[0], language),
    prompt: lower.includes(style)
      ? `${subject}, highly detailed`
      : `${subject}, ${style}, highly detailed`,
    negativePrompt: "blurry, low quality, watermark, text, distorted",
    style,
    width,
    height,
    seed: seed >>> 0,
    palette: pickPalette(pool, random),
  };
}

function pickSize(lower: string, random: Random): [number, number] {
  if (/portrait|poster|tall/u.test(lower)) return [512, 768];
  if (/cinematic|landscape|range|wide|35mm/u.test(lower)) return [768, 512];
  return random.pick<[number, number]>([
    [512, 512],
    [640, 640],
    [768, 576],
    [576, 768],
  ]);
}

function pickPalette(pool: string[], random: Random): string[] {
  const words = pool.flatMap((p) => p.toLocaleLowerCase().split(" "));
  const named = words.flatMap((w) => colourWords[w] ?? []);
  const derived = words.map((w) => colourFromWord(w, random));
  return [...new Set([...named, ...derived])].slice(0, 5);
}

function colourFromWord(word: string, random: Random): string {
  const hue = hashText(word) % 360;
  return hslToHex(hue, 0.45 + random.next() * 0.2, 0.4 + random.next() * 0.25);
}

function hslToHex(hue: number, saturation: number, lightness: number) {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    const value = lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, "0");
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

const genres: { words: string[]; genre: string; tempoBpm: number }[] = [
  { words: ["folk"], genre: "folk", tempoBpm: 96 },
  {
    words: ["synth", "synth-pop", "synthpop"],
    genre: "synth-pop",
    tempoBpm: 118,
  },
  { words: ["blues"], genre: "blues", tempoBpm: 72 },
  { words: ["lullaby", "berceuse", "子守唄"], genre: "lullaby", tempoBpm: 66 },
  { words: ["shanty"], genre: "sea shanty", tempoBpm: 104 },
  { words: ["rock"], genre: "rock", tempoBpm: 124 },
  { words: ["jazz"], genre: "jazz", tempoBpm: 110 },
  { words: ["country"], genre: "country", tempoBpm: 100 },
];
const fallbackGenres = ["indie pop", "ballad", "soft rock", "folk"];
const keys = ["C major", "G major", "D major", "F major", "A minor", "E minor"];

/** A short song spec with labelled sections built from the prompt's words. */
export function writeSongSpec(text: string, seed: number): SongSpec {
  const { language, pool, random } = gatherMaterial(text, seed);
  const lower = text.toLocaleLowerCase();
  const known = genres.find((g) => g.words.some((w) => lower.includes(w)));
  const genre = known?.genre ?? random.pick(fallbackGenres);
  const mood = /upbeat|happy|dance|joy/u.test(lower) ? 16 : 0;
  const calm = /slow|sad|sleep|lullaby/u.test(lower) ? -12 : 0;
  const baseBpm = (known?.tempoBpm ?? 100) + mood + calm + random.int(-6, 6);

  return {
    title: titleCase(pool[0], language),
    genre,
    tags: [
      ...new Set(
        [genre, ...pool.slice(0, 3)].map((t) =>
          Array.from(t).slice(0, 40).join(""),
        ),
      ),
    ],
    tempoBpm: Math.max(40, Math.min(220, baseBpm)),
    durationSeconds: random.int(6, 12),
    key: random.pick(keys),
    seed: seed >>> 0,
    lyrics: writeLyrics(pool, language, random),
  };
}

function writeLyrics(
  pool: string[],
  language: Language,
  random: Random,
): LyricSection[] {
  const templates = templatesByLanguage[language];
  const section = (label: LyricLabel, frames: string[], n: number) => ({
    label,
    lines: frames.map((f) => capitalize(fillTemplate(f, slotsFor(pool, n)))),
  });
  const [first, second] = shuffled(templates.verses, random);
  const chorus = section("chorus", templates.chorusLines, 0);

  const sections = [
    section("verse", first, 1),
    chorus,
    section("verse", second, 2),
  ];
  if (random.next() < 0.5) {
    sections.push(section("bridge", templates.bridgeLines, 1));
  }
  return [...sections, chorus];
}
