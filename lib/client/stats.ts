import { useQuery } from "@tanstack/react-query";
import type { StatsJson } from "@/lib/api-types";
import { fetchJson } from "./fetcher";
import { statsKeys } from "./query-keys";

// Counts follow prompt events, but a worker's heartbeat is no event: without
// a slow poll a dead worker would keep looking alive.
const heartbeatRefreshMs = 15_000;

export function useStats() {
  return useQuery({
    queryKey: statsKeys.all,
    queryFn: ({ signal }) => fetchJson<StatsJson>("/api/stats", { signal }),
    refetchInterval: heartbeatRefreshMs,
    meta: { silent: true },
  });
}
