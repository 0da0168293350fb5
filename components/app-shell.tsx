import type { ReactNode } from "react";
import { StatsBar } from "./stats-bar";

/**
 * A page's frame: its content, then the stats bar. The bar is sticky rather
 * than fixed, so at the end of the page it sits below the content instead of
 * over it, however tall it grows.
 */
export function AppShell({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <main className="mx-auto w-full max-w-5xl flex-1 space-y-6 px-4 pt-8 pb-10">
        {children}
      </main>
      <StatsBar />
    </div>
  );
}
