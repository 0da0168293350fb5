import { useQuery } from "@tanstack/react-query";
import type { StatsJson } from "@/lib/api-types";
import { fetchJson, pollTimeoutMs, withTimeout } from "./fetcher";
import { statsKeys } from "./query-keys";

// Counts and pauses follow the event stream, but a worker's death is no
// event. The server sees a killed worker on its host at once (its pid is
// gone), so this poll bounds how late the footer says so: every 4 s shows
// it within about 5 s. A poll is a few indexed reads, so one per open tab
// every 4 s costs little. (A worker on another host still takes
// WORKER_STALE_MS.)
export const livenessRefreshMs = 4_000;

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
    refetchInterval: livenessRefreshMs,
    meta: { silent: true },
  });
}
