import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { isApiError } from "./fetcher";
import { watchPromptResponses } from "./prompt-cache";
import { showToast } from "./toasts";

declare module "@tanstack/react-query" {
  interface Register {
    queryMeta: QueryToastMeta;
    mutationMeta: QueryToastMeta;
  }
}

type QueryToastMeta = {
  /** Set when the component shows the error itself (the submit form, the
   * polled stats and health panels). */
  silent?: boolean;
};

export function messageOf(error: unknown): string {
  if (isApiError(error)) return error.message;
  if (error instanceof TypeError) return "Cannot reach the server.";
  return "Something went wrong.";
}

/** The browser's query client: one toast per failure, prompts kept current. */
export function createQueryClient(): QueryClient {
  const client = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (!query.meta?.silent) showToast(messageOf(error));
      },
    }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (!mutation.meta?.silent) showToast(messageOf(error));
      },
    }),
    defaultOptions: {
      queries: {
        // Events keep cached data current, so nothing refetches on its own.
        staleTime: Infinity,
        refetchOnWindowFocus: false,
        retry: (failureCount, error) =>
          failureCount < 2 && !(isApiError(error) && error.status < 500),
      },
    },
  });
  watchPromptResponses(client);
  return client;
}
