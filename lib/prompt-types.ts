import { z } from "zod";

export const textTypes = ["poem", "story", "haiku"] as const;
export const mediaTypes = ["image_prompt", "lyrics_prompt"] as const;
export const promptTypes = [...textTypes, ...mediaTypes] as const;

export type TextType = (typeof textTypes)[number];
export type MediaType = (typeof mediaTypes)[number];
export type PromptType = (typeof promptTypes)[number];

export const statuses = [
  "unprocessed",
  "processing",
  "completed",
  "failed",
  "cancelled",
] as const;
export const artifactStatuses = [
  "pending",
  "processing",
  "ready",
  "failed",
] as const;

/** What stage 2 can make; ComfyUI's video and gif outputs are "video". */
export const artifactKinds = ["image", "audio", "video"] as const;
export type ArtifactKind = (typeof artifactKinds)[number];

export type Status = (typeof statuses)[number];
export type ArtifactStatus = (typeof artifactStatuses)[number];

export const promptTypeSchema = z.enum(promptTypes);
export const statusSchema = z.enum(statuses);
export const artifactStatusSchema = z.enum(artifactStatuses);

export function isMediaType(type: string): type is MediaType {
  return (mediaTypes as readonly string[]).includes(type);
}

export const maxPromptChars = 4000;

/** The priorities the API accepts; moving to the top stays inside them. */
export const minPriority = -100;
export const maxPriority = 100;

const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const visibleCharacter = /[\p{L}\p{N}\p{S}\p{P}]/u;

/** Prompt text: trimmed, 1–4000 characters, something visible, no controls. */
export const promptTextSchema = z
  .string()
  .trim()
  .min(1, { error: "text is empty", abort: true })
  .max(maxPromptChars, {
    error: `text is longer than ${maxPromptChars} characters`,
    abort: true,
  })
  .refine((text) => text.isWellFormed(), "text has a broken character")
  .refine((text) => !controlCharacters.test(text), {
    message: "text has a control character",
  })
  .refine((text) => visibleCharacter.test(text), {
    message: "text has nothing visible in it",
  });

/** A new prompt as the API accepts it. */
export const newPromptSchema = z.strictObject({
  type: promptTypeSchema,
  text: promptTextSchema,
  priority: z
    .number()
    .min(minPriority, "priority must be between -100 and 100")
    .max(maxPriority, "priority must be between -100 and 100")
    .refine(Number.isInteger, "priority must be a whole number")
    .default(0),
});

export type NewPromptInput = z.infer<typeof newPromptSchema>;

/** Stage 1 output for image prompts, the input of stage 2. */
export const imageSpecSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  prompt: z.string().trim().min(10).max(2000),
  negativePrompt: z.string().max(1000),
  style: z.string().trim().min(1).max(100),
  width: z.number().int().min(64).max(2048).multipleOf(8),
  height: z.number().int().min(64).max(2048).multipleOf(8),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  palette: z
    .array(z.string().regex(/^#[0-9a-f]{6}$/i))
    .min(2)
    .max(8)
    .optional(),
});

export type ImageSpec = z.infer<typeof imageSpecSchema>;

export const lyricSectionLabels = [
  "intro",
  "verse",
  "pre-chorus",
  "chorus",
  "bridge",
  "outro",
] as const;

export const lyricSectionSchema = z.strictObject({
  label: z.enum(lyricSectionLabels),
  lines: z.array(z.string().trim().min(1).max(200)).min(1).max(16),
});

/** Stage 1 output for song prompts, the input of stage 2. */
export const songSpecSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  genre: z.string().trim().min(1).max(60),
  tags: z.array(z.string().trim().min(1).max(40)).min(1).max(12),
  tempoBpm: z.number().int().min(40).max(220),
  durationSeconds: z.number().min(1).max(600),
  key: z.string().trim().min(1).max(12),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  lyrics: z
    .array(lyricSectionSchema)
    .min(2)
    .refine((sections) => sections.some((s) => s.label === "chorus"), {
      message: "lyrics need a chorus",
    }),
});

export type SongSpec = z.infer<typeof songSpecSchema>;
export type LyricSection = z.infer<typeof lyricSectionSchema>;

export const specSchemaByType = {
  image_prompt: imageSpecSchema,
  lyrics_prompt: songSpecSchema,
} as const;
