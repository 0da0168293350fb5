import type { PromptType } from "../lib/prompt-types";
import { writeImageSpec, writeSongSpec } from "./offline-specs";
import { fillTemplate, templatesByLanguage } from "./offline-templates";
import { gatherMaterial, shuffled, slotsFor } from "./offline-material";
import type { Writer, WriterInput } from "./write-stage";
import { capitalize, countSyllables, titleCase } from "./words";

/**
 * The built-in writer: no model, just the prompt's own words arranged into
 * familiar forms. Same text and seed, same writing.
 */
export const offlineWriter: Writer = {
  backend: "builtin",
  async writeText(input, signal) {
    signal.throwIfAborted();
    return writeOfflineText(input);
  },
  async writeSpec(input, signal) {
    signal.throwIfAborted();
    return input.type === "lyrics_prompt"
      ? writeSongSpec(input.text, input.seed)
      : writeImageSpec(input.text, input.seed);
  },
};

const textWriters: Partial<Record<PromptType, typeof writePoem>> = {
  poem: writePoem,
  haiku: writeHaiku,
  story: writeStory,
};

export function writeOfflineText(input: WriterInput): string {
  return (textWriters[input.type] ?? writePoem)(input.text, input.seed);
}

export function writePoem(text: string, seed: number): string {
  const { language, pool, random } = gatherMaterial(text, seed);
  const couplets = shuffled(templatesByLanguage[language].poemCouplets, random);
  const stanzaCount = random.int(2, 3);

  const stanzas = Array.from({ length: stanzaCount }, (_, n) =>
    couplets
      .slice(n * 2, n * 2 + 2)
      .map((frame, i) =>
        capitalize(fillTemplate(frame, slotsFor(pool, n * 2 + i))),
      )
      .join("\n"),
  );
  return `${titleCase(pool[0], language)}\n\n${stanzas.join("\n\n")}`;
}

const haikuTargets = [5, 7, 5];

/** Three short lines, each as close to 5, 7 and 5 syllables as it gets. */
export function writeHaiku(text: string, seed: number): string {
  const { language, pool, random, joiner } = gatherMaterial(text, seed);
  const { haikuLeads, haikuTails } = templatesByLanguage[language];
  const used = new Set<string>();

  const lines = haikuTargets.map((target) => {
    let best = { line: "", score: Infinity, parts: [] as string[] };
    for (const core of pool.filter((p) => !used.has(p))) {
      for (const lead of haikuLeads.filter((l) => !used.has(l))) {
        for (const tail of haikuTails.filter((t) => !used.has(t))) {
          const parts = [lead, core, tail].filter(Boolean);
          const line = parts.join(joiner);
          const miss = Math.abs(countSyllables(parts.join(" ")) - target);
          const score = miss * 10 + random.next();
          if (score < best.score) best = { line, score, parts };
        }
      }
    }
    best.parts.forEach((part) => used.add(part));
    return best.line || pool[0];
  });
  return lines.join("\n");
}

/** A title and three paragraphs: a beginning, a middle and an end. */
export function writeStory(text: string, seed: number): string {
  const { language, pool, random } = gatherMaterial(text, seed);
  const templates = templatesByLanguage[language];
  const name = random.pick(templates.names);
  const beats = [
    templates.storyBeginnings,
    templates.storyMiddles,
    templates.storyEndings,
  ];

  const paragraphs = beats.map((frames, n) =>
    capitalizeSentences(
      fillTemplate(random.pick(frames), { ...slotsFor(pool, n), name }),
    ),
  );
  return `${titleCase(pool[0], language)}\n\n${paragraphs.join("\n\n")}`;
}

function capitalizeSentences(text: string): string {
  return text.replace(
    /(^|[.!?]\s+)(\p{Ll})/gu,
    (_, before: string, letter: string) => before + letter.toLocaleUpperCase(),
  );
}
