"use client";

import Link from "next/link";
import { AppShell } from "@/components/app-shell";
import { HealthBanner } from "@/components/health-banner";
import { BackendsPanel } from "./backends-panel";
import { HealthPanel } from "./health-panel";
import { SignOutButton } from "./sign-out-button";
import { StuckPrompts } from "./stuck-prompts";
import { WorkersTable } from "./workers-table";
import { pageTitleClasses } from "@/components/ui/card";

export function AdminScreen() {
  return (
    <AppShell>
      <header className="flex items-baseline justify-between gap-4">
        <div>
          <h1 className={pageTitleClasses}>Admin</h1>
          <p className="mt-1 text-sm text-stone-500">
            Stuck work, the workers, the backends and the database.
          </p>
        </div>
        <div className="flex shrink-0 items-baseline gap-3 whitespace-nowrap">
          <SignOutButton />
          <Link
            href="/"
            className="rounded text-sm text-stone-600 underline-offset-2 hover:text-stone-900 hover:underline focus-visible:outline-2 focus-visible:outline-teal-600"
          >
            ← Back to Poets
          </Link>
        </div>
      </header>
      <HealthBanner linkToAdmin={false} />
      <HealthPanel />
      <BackendsPanel />
      <WorkersTable />
      <StuckPrompts />
    </AppShell>
  );
}
