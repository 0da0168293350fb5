import { createRandom, hashText, type Random } from "./prng";
import { readPromptWords, type Language } from "./words";

const minPoolSize = 3;

export type Material = {
  language: Language;
  pool: string[];
  random: Random;
  /** What goes between words: a space, or nothing for Japanese. */
  joiner: string;
};

/** The prompt's phrases and a random stream seeded by text and seed. */
export function gatherMaterial(text: string, seed: number): Material {
  const { language, phrases, words } = readPromptWords(text);
  const pool = [...phrases];
  for (const word of words) {
    if (pool.length >= minPoolSize) break;
    if (!pool.some((p) => p.toLocaleLowerCase() === word.toLocaleLowerCase())) {
      pool.push(word);
    }
  }
  const random = createRandom(hashText(text) ^ seed);
  return { language, pool, random, joiner: language === "ja" ? "" : " " };
}

/** Slots a, b, c for the nth group of lines, walking through the pool. */
export function slotsFor(pool: string[], n: number): Record<string, string> {
  const at = (i: number) => pool[(n * 2 + i) % pool.length];
  return { a: at(0), b: at(1), c: at(2) };
}

export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
