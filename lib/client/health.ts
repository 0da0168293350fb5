import { useQuery } from "@tanstack/react-query";
import type { HealthJson } from "@/lib/api-types";
import { fetchJson, pollTimeoutMs, withTimeout } from "./fetcher";
import { healthKeys } from "./query-keys";
import { livenessRefreshMs } from "./stats";

// Health turns bad without any prompt event (a worker killed or gone quiet,
// a worker on another database file), so it is polled as often as the
// stats, for the banner to agree with the footer.

export function useHealth() {
  return useQuery({
    queryKey: healthKeys.all,
    queryFn: ({ signal }) =>
      fetchJson<HealthJson>("/api/health", {
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
