"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { createQueryClient } from "@/lib/client/query-client";
import { usePromptEvents } from "@/lib/client/use-prompt-events";
import { LiveAnnouncer } from "./live-announcer";
import { appRootId } from "./ui/dialog";
import { Toaster } from "./ui/toast";

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(createQueryClient);
  return (
    <QueryClientProvider client={client}>
      <PromptEvents />
      <div id={appRootId}>{children}</div>
      <Toaster />
      <LiveAnnouncer />
    </QueryClientProvider>
  );
}

/** The tab's one event stream, for as long as the app is open. */
function PromptEvents() {
  usePromptEvents();
  return null;
}
