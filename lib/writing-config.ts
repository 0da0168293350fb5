import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { promptTypes, type PromptType } from "./prompt-types";

/** The file WRITING_CONFIG names when unset; it may be missing. */
export const defaultWritingConfigFile = "./writing.config.json";

/** How a language model writes one prompt type. */
export type TypeWriting = {
  /** The system prompt. */
  instructions: string;
  temperature: number;
  top_p: number;
  /** Overrides LLM_MAX_TOKENS; null uses it. */
  max_tokens: number | null;
};

export type WritingConfig = Record<PromptType, TypeWriting>;

// A JSON string cannot span lines, so long instructions may be an array of
// lines, joined with newlines.
const instructionsSchema = z
  .union([z.string(), z.array(z.string()).min(1)])
  .transform((value) => (Array.isArray(value) ? value.join("\n") : value))
  .pipe(z.string().trim().min(1, "must not be empty"));

const typeWritingSchema = z.strictObject({
  instructions: instructionsSchema.optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  max_tokens: z.number().int().min(16).max(1_000_000).nullable().optional(),
});

const writingConfigSchema = z.strictObject(
  Object.fromEntries(
    promptTypes.map((type) => [type, typeWritingSchema.optional()]),
  ) as Record<PromptType, z.ZodOptional<typeof typeWritingSchema>>,
);

export class WritingConfigError extends Error {}

/**
 * Reads the writing config: each prompt type's settings in the file
 * replace the built-in ones field by field. A missing file at the default
 * place means the built-in settings; any other missing, unreadable or
 * invalid file is a WritingConfigError naming the file and the fields.
 */
export function loadWritingConfig(filePath: string): WritingConfig {
  const text = readConfigFile(filePath);
  if (text === null) return defaultWritingConfig;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new WritingConfigError(
      `Invalid writing config ${filePath}: not valid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }

  const result = writingConfigSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const field = issue.path.join(".") || "(file)";
      return `  ${field}: ${issue.message}`;
    });
    throw new WritingConfigError(
      `Invalid writing config ${filePath}:\n${lines.join("\n")}`,
    );
  }
  return mergeWithDefaults(result.data);
}

/** For a process's start: the writing config, or exit 1 saying what is wrong. */
export function loadWritingConfigOrExit(filePath: string): WritingConfig {
  try {
    return loadWritingConfig(filePath);
  } catch (error) {
    if (!(error instanceof WritingConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

function readConfigFile(filePath: string): string | null {
  try {
    return fs.readFileSync(filePath, "utf8");
  } catch (error) {
    const isMissing = (error as NodeJS.ErrnoException).code === "ENOENT";
    const isDefault =
      path.resolve(filePath) === path.resolve(defaultWritingConfigFile);
    if (isMissing && isDefault) return null;
    throw new WritingConfigError(
      `Cannot read the writing config ${filePath} (WRITING_CONFIG): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function mergeWithDefaults(
  file: z.infer<typeof writingConfigSchema>,
): WritingConfig {
  const merged = { ...defaultWritingConfig };
  for (const type of promptTypes) {
    const fields = Object.entries(file[type] ?? {}).filter(
      ([, value]) => value !== undefined,
    );
    merged[type] = { ...merged[type], ...Object.fromEntries(fields) };
  }
  return merged;
}

const lines = (...text: string[]) => text.join("\n");

/** The built-in settings; writing.config.json ships the same. */
export const defaultWritingConfig: WritingConfig = {
  poem: {
    instructions: lines(
      "You are a poet. Write one original poem inspired by the person's prompt.",
      "- Start with a short title on its own line, then a blank line, then the poem.",
      "- Prefer concrete images, sounds and textures to abstract statements; let the images carry the feeling.",
      "- Pick the form that suits the subject: free verse by default, rhyme and metre when the prompt asks for them or the subject sings.",
      "- Keep it between 8 and 30 lines, in stanzas separated by blank lines, unless the prompt asks for another length.",
      "- Avoid clichés and greeting-card sentiment; end on an image or a turn, not a moral.",
      "- Write in the language of the prompt.",
      "- Answer with the poem only: no preamble, no commentary, no Markdown.",
    ),
    temperature: 0.9,
    top_p: 0.95,
    max_tokens: null,
  },
  story: {
    instructions: lines(
      "You are a writer of short fiction. Write one original short story from the person's prompt.",
      "- Start with a short title on its own line, then a blank line, then the story in paragraphs separated by blank lines.",
      "- 300 to 800 words unless the prompt asks for another length.",
      "- Give it a character who wants something, a turn, and an ending that lands; a clear beginning, middle and end.",
      "- Use specific sensory detail and a little dialogue where it helps; show rather than explain.",
      "- End on an image or an action, not a moral.",
      "- Write in the language of the prompt.",
      "- Answer with the story only: no preamble, no commentary, no Markdown headings.",
    ),
    temperature: 0.85,
    top_p: 0.95,
    max_tokens: 2048,
  },
  haiku: {
    instructions: lines(
      "You write haiku. Write one haiku inspired by the person's prompt.",
      "- Three lines of about 5, 7 and 5 syllables (in languages other than English, follow that language's short-long-short form).",
      "- One concrete image from nature or daily life, a hint of the season, and a cut: a shift between two images that sparks a third meaning.",
      "- Present tense, plain words, no rhyme, no title.",
      "- Write in the language of the prompt.",
      "- Answer with the three lines only: no quotation marks, no commentary.",
    ),
    temperature: 0.8,
    top_p: 0.95,
    max_tokens: null,
  },
  image_prompt: {
    instructions: lines(
      "You turn a person's idea into a spec for a text-to-image model such as Stable Diffusion or Flux.",
      "Answer with one JSON object and nothing else (no Markdown fences, no comments), with these fields:",
      '- "title": a short title for the picture (up to 200 characters).',
      '- "prompt": the image prompt, 10 to 2000 characters: subject first, then setting, composition, lighting, mood, medium and detail, as comma-separated descriptive phrases in English.',
      '- "negativePrompt": what to keep out of the picture, such as "blurry, text, watermark, extra fingers"; may be an empty string.',
      '- "style": the visual style in a few words, such as "watercolour", "cinematic photograph" or "ink drawing".',
      '- "width" and "height": whole numbers of pixels, each a multiple of 8 from 64 to 2048; 1024 by 1024 unless the idea suits landscape (1216 by 832) or portrait (832 by 1216).',
      '- "seed": exactly the seed number given with the idea.',
      '- "palette" (optional): 2 to 8 colours that suit the picture, as lowercase "#rrggbb" strings.',
      "Stay faithful to the idea; add the visual detail it leaves out.",
    ),
    temperature: 0.5,
    top_p: 0.9,
    max_tokens: null,
  },
  lyrics_prompt: {
    instructions: lines(
      "You are a songwriter. Turn the person's idea into a song spec for a music model.",
      "Answer with one JSON object and nothing else (no Markdown fences, no comments), with these fields:",
      '- "title": the song\'s title.',
      '- "genre": one genre, such as "folk" or "synth-pop" (up to 60 characters).',
      '- "tags": 1 to 12 short style tags (instruments, mood, vocal type), each up to 40 characters.',
      '- "tempoBpm": a whole number of beats per minute from 40 to 220.',
      '- "durationSeconds": the length in seconds, from 1 to 600; usually 120 to 240.',
      '- "key": the musical key, such as "A minor" or "D major".',
      '- "seed": exactly the seed number given with the idea.',
      '- "lyrics": the sections in singing order, at least two, each an object {"label", "lines"}: "label" is one of "intro", "verse", "pre-chorus", "chorus", "bridge", "outro"; "lines" holds 1 to 16 lines of up to 200 characters. At least one section must be a chorus.',
      "Write lyrics that sing: concrete images, verses that move the story on, a chorus that states the song's heart in words worth repeating, natural rhythm, and rhyme where it feels right.",
      "Write the lyrics in the language of the idea.",
    ),
    temperature: 0.7,
    top_p: 0.9,
    max_tokens: 2048,
  },
};
