import { useQuery } from "@tanstack/react-query";
import type { StatsJson } from "@/lib/api-types";
import { fetchJson, pollTimeoutMs, withTimeout } from "./fetcher";
import { statsKeys } from "./query-keys";

// Counts follow prompt events, but a worker's heartbeat is no event: without
// a slow poll a dead worker would keep looking alive.
const heartbeatRefreshMs = 15_000;

export function useStats() {
  return useQuery({
    queryKey: statsKeys.all,
    queryFn: ({ signal }) =>
      fetchJson<StatsJson>("/api/stats", {
        signal: withTimeout(signal, pollTimeoutMs),
      }),
    // The next poll is the retry. Failing at once lets the page say the
    // server is unreachable instead of showing the last answer as current.
    retry: false,
    // Polls pause while the tab is hidden; coming back refetches ("always":
    // data here never goes stale) so an old heartbeat's age isn't news.
    refetchOnWindowFocus: "always",
    refetchInterval: heartbeatRefreshMs,
    meta: { silent: true },
  });
}
