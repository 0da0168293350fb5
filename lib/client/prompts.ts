import {
  queryOptions,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import type {
  PromptDetailJson,
  PromptJson,
  PromptPageJson,
} from "@/lib/api-types";
import type { PromptType } from "@/lib/prompt-types";
import { fetchJson, postJson, withQuery } from "./fetcher";
import { applyPromptUpdate } from "./prompt-cache";
import {
  adminKeys,
  promptKeys,
  statsKeys,
  type PromptListFilter,
} from "./query-keys";
import { showToast } from "./toasts";

export function usePromptList(filter: PromptListFilter) {
  return useInfiniteQuery({
    queryKey: promptKeys.list(filter),
    queryFn: ({ pageParam, signal }) =>
      fetchJson<PromptPageJson>(
        withQuery("/api/prompts", { ...filter, cursor: pageParam }),
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });
}

export function promptDetailQuery(promptId: number) {
  return queryOptions({
    queryKey: promptKeys.detail(promptId),
    queryFn: ({ signal }) =>
      fetchJson<PromptDetailJson>(`/api/prompts/${promptId}`, { signal }),
  });
}

export function usePromptDetail(promptId: number) {
  return useQuery(promptDetailQuery(promptId));
}

export type NewPrompt = { type: PromptType; text: string; priority?: number };

/** Submits a prompt; the form shows a failure itself, so no toast. */
export function useCreatePrompt() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: NewPrompt) =>
      postJson<{ prompt: PromptJson }>("/api/prompts", input),
    meta: { silent: true },
    onSuccess: ({ prompt }) => {
      applyPromptUpdate(client, prompt.id, prompt);
      void client.invalidateQueries({ queryKey: statsKeys.all });
    },
  });
}

/** Sends a prompt back to the start of its stage; a 409 becomes a toast. */
export function useRequeuePrompt() {
  return usePromptAction("requeue", "requeued");
}

/** Cancels a queued or running prompt; a 409 becomes a toast. */
export function useCancelPrompt() {
  return usePromptAction("cancel", "cancelled");
}

function usePromptAction(action: "requeue" | "cancel", done: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (promptId: number) =>
      postJson<{ prompt: PromptJson }>(`/api/prompts/${promptId}/${action}`),
    onSuccess: ({ prompt }) => {
      applyPromptUpdate(client, prompt.id, prompt);
      showToast(`Prompt #${prompt.id} ${done}.`, "info");
      void client.invalidateQueries({ queryKey: adminKeys.stuck() });
      void client.invalidateQueries({ queryKey: statsKeys.all });
    },
  });
}
