import { useMutation, useQuery } from "@tanstack/react-query";
import type { AuthStateJson } from "@/lib/auth";
import { fetchJson, postJson } from "./fetcher";

const authKeys = { state: () => ["auth"] as const };

/** Whether changes need a sign-in, and whether this browser has one. */
export function useAuthState() {
  return useQuery({
    queryKey: authKeys.state(),
    queryFn: ({ signal }) => fetchJson<AuthStateJson>("/api/auth", { signal }),
  });
}

/** Signs in with ADMIN_TOKEN; the form shows a failure itself. */
export function useSignIn() {
  return useMutation({
    mutationFn: (token: string) => postJson<void>("/api/auth/login", { token }),
    meta: { silent: true },
  });
}

export function useSignOut() {
  return useMutation({
    mutationFn: () => postJson<void>("/api/auth/logout"),
  });
}

/**
 * The path to go to after signing in: only a page of this site, so that a
 * crafted link cannot send someone elsewhere with their new session.
 */
export function safeNextPath(next: string | undefined, origin: string) {
  if (!next?.startsWith("/")) return "/admin";
  const url = new URL(next, origin);
  if (url.origin !== origin) return "/admin";
  return url.pathname + url.search;
}
