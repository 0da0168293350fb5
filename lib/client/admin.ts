import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type {
  BulkActionJson,
  BulkResponseJson,
  StuckPageJson,
} from "@/lib/api-types";
import { fetchJson, postJson } from "./fetcher";
import { applyPromptUpdate } from "./prompt-cache";
import { adminKeys, statsKeys } from "./query-keys";

// Prompt events refresh this list; the poll catches prompts that become
// stuck by standing still, which no event announces.
const stuckRefreshMs = 30_000;

export function useStuckPrompts() {
  return useQuery({
    queryKey: adminKeys.stuck(),
    queryFn: ({ signal }) =>
      fetchJson<StuckPageJson>("/api/admin/stuck", { signal }),
    refetchInterval: stuckRefreshMs,
  });
}

export type BulkRequest = {
  action: BulkActionJson;
  ids: number[];
  preview: boolean;
};

/**
 * Runs (or previews) one action on many prompts. A run spreads each changed
 * prompt into the cache and refreshes the stuck list and the counts.
 */
export function useBulkAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: BulkRequest) =>
      postJson<BulkResponseJson>("/api/admin/bulk", request),
    onSuccess: (response) => {
      if (response.preview) return;
      for (const result of response.results) {
        if (result.ok) applyPromptUpdate(client, result.id, result.prompt);
      }
      void client.invalidateQueries({ queryKey: adminKeys.stuck() });
      void client.invalidateQueries({ queryKey: statsKeys.all });
    },
  });
}
