import { useQuery } from "@tanstack/react-query";
import type { StuckPageJson } from "@/lib/api-types";
import { fetchJson } from "./fetcher";
import { adminKeys } from "./query-keys";

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
