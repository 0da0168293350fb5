import type { ArtifactStatus, PromptType, Status } from "@/lib/prompt-types";

export type PromptListFilter = {
  status?: Status;
  artifactStatus?: ArtifactStatus;
  type?: PromptType;
  /** Words to search for in prompts and their writings. */
  q?: string;
  limit?: number;
};

export type GalleryFilter = { type?: PromptType; q?: string };

// Every key starts with its resource, so invalidating `promptKeys.all` reaches
// lists and details alike.
export const promptKeys = {
  all: ["prompts"] as const,
  lists: () => [...promptKeys.all, "list"] as const,
  list: (filter: PromptListFilter) => [...promptKeys.lists(), filter] as const,
  details: () => [...promptKeys.all, "detail"] as const,
  detail: (promptId: number) => [...promptKeys.details(), promptId] as const,
};

export const galleryKeys = {
  all: ["gallery"] as const,
  list: (filter: GalleryFilter) => [...galleryKeys.all, filter] as const,
};

export const statsKeys = {
  all: ["stats"] as const,
};

export const healthKeys = {
  all: ["health"] as const,
};

export const adminKeys = {
  all: ["admin"] as const,
  stuck: () => [...adminKeys.all, "stuck"] as const,
};
