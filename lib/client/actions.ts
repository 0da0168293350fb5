import {
  useMutation,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";
import type {
  PromptBatchJson,
  PromptJson,
  StageName,
  StagePausesJson,
  StatsJson,
} from "@/lib/api-types";
import type { BatchInput } from "@/lib/prompt-batch";
import type { PromptType } from "@/lib/prompt-types";
import { fetchJson, postJson } from "./fetcher";
import { applyPromptUpdate } from "./prompt-cache";
import { adminKeys, promptKeys, statsKeys } from "./query-keys";
import { useStats } from "./stats";
import { showToast } from "./toasts";

// Queue control from the browser: stage pauses, and what people do to one
// prompt or a batch. A refusal (a 409 naming the prompt's state) becomes a
// toast through the MutationCache, unless the form shows it itself.

/** Each stage's pause, from the stats poll; null until it first answers. */
export function useStagePauses(): StagePausesJson | null {
  const { data } = useStats();
  return data?.paused
    ? { paused: data.paused, pausedSince: data.pausedSince }
    : null;
}

/** Pauses or resumes a stage; the answer updates the stats cache at once. */
export function useStagePause() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { stage: StageName; pause: boolean }) =>
      postJson<StagePausesJson>(
        `/api/stages/${input.stage}/${input.pause ? "pause" : "resume"}`,
      ),
    onSuccess: (pauses) => {
      client.setQueryData<StatsJson>(statsKeys.all, (stats) =>
        stats ? { ...stats, ...pauses } : stats,
      );
      void client.invalidateQueries({ queryKey: statsKeys.all });
    },
  });
}

export type PromptEditInput = {
  promptId: number;
  text?: string;
  type?: PromptType;
  priority?: number;
};

/** Edits a waiting prompt; the edit form shows a refusal itself. */
export function useEditPrompt(options: { silent?: boolean } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ promptId, ...edit }: PromptEditInput) =>
      fetchJson<{ prompt: PromptJson }>(`/api/prompts/${promptId}`, {
        method: "PATCH",
        body: JSON.stringify(edit),
      }),
    meta: { silent: options.silent ?? false },
    onSuccess: ({ prompt }) => refreshPrompt(client, prompt),
  });
}

type PromptAction = "move-to-top" | "rerender" | "rewrite";

const actionDone: Record<PromptAction, string> = {
  "move-to-top": "moved to the top of the queue",
  rerender: "queued to be rendered again",
  rewrite: "queued to be written again",
};

/** Moves a prompt to the top, or re-renders or re-writes a finished one. */
export function usePromptControl(action: PromptAction) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (promptId: number) =>
      postJson<{ prompt: PromptJson }>(`/api/prompts/${promptId}/${action}`),
    onSuccess: ({ prompt }) => {
      refreshPrompt(client, prompt);
      showToast(`Prompt #${prompt.id} ${actionDone[action]}.`, "info");
    },
  });
}

/** Adds a batch; the batch form shows the line errors itself. */
export function useCreateBatch() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: BatchInput) =>
      postJson<PromptBatchJson>("/api/prompts/batch", input),
    meta: { silent: true },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: promptKeys.lists() });
      void client.invalidateQueries({ queryKey: statsKeys.all });
    },
  });
}

/**
 * Puts the answered prompt in every cached copy, and refetches its detail:
 * a re-write or re-render moves its outputs into the history.
 */
function refreshPrompt(client: QueryClient, prompt: PromptJson) {
  applyPromptUpdate(client, prompt.id, prompt);
  void client.invalidateQueries({ queryKey: promptKeys.detail(prompt.id) });
  void client.invalidateQueries({ queryKey: statsKeys.all });
  void client.invalidateQueries({ queryKey: adminKeys.stuck() });
}
