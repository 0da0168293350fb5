"use client";

import Link from "next/link";
import { useState } from "react";
import { AppShell } from "@/components/app-shell";
import { HealthBanner } from "@/components/health-banner";
import { QueueControl } from "@/components/queue-control";
import { Tabs } from "@/components/ui/tabs";
import { BatchForm } from "./batch-form";
import { GalleryGrid } from "./gallery-grid";
import { QueueDialog } from "./queue-dialog";
import { RecentPrompts } from "./recent-prompts";
import { SubmitForm } from "./submit-form";
import {
  cardClasses,
  cardTitleClasses,
  pageTitleClasses,
} from "@/components/ui/card";

type View = "queue" | "browse";

const views = [
  { key: "queue" as const, label: "Queue" },
  { key: "browse" as const, label: "Browse" },
];

export function HomeScreen() {
  const [view, setView] = useState<View>("queue");
  const [isQueueOpen, setQueueOpen] = useState(false);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const openQueue = (promptId: number | null) => {
    setSelectedId(promptId);
    setQueueOpen(true);
  };

  return (
    <>
      <AppShell>
        <header className="flex items-baseline justify-between gap-4">
          <div>
            <h1 className={pageTitleClasses}>Poets</h1>
            <p className="mt-1 text-sm text-stone-500">
              Type a prompt; watch it become finished work.
            </p>
          </div>
          <Link
            href="/admin"
            className="rounded text-sm text-stone-600 underline-offset-2 hover:text-stone-900 hover:underline focus-visible:outline-2 focus-visible:outline-teal-600"
          >
            Admin
          </Link>
        </header>

        <HealthBanner />

        <section className={cardClasses}>
          <h2 className={`mb-4 ${cardTitleClasses}`}>New prompt</h2>
          <SubmitForm onSubmitted={() => setView("queue")} />
          <details className="mt-6 border-t border-stone-200 pt-4">
            <summary className="cursor-pointer text-sm font-medium text-stone-700">
              Paste many prompts
            </summary>
            <div className="mt-3">
              <BatchForm />
            </div>
          </details>
        </section>

        <QueueControl />

        <Tabs label="Views" tabs={views} selected={view} onSelect={setView}>
          {view === "queue" ? (
            <RecentPrompts
              onSelect={openQueue}
              onOpenQueue={() => openQueue(null)}
              ownsTestIds={!isQueueOpen}
            />
          ) : (
            <GalleryGrid />
          )}
        </Tabs>
      </AppShell>

      <QueueDialog
        open={isQueueOpen}
        onClose={() => setQueueOpen(false)}
        selectedId={selectedId}
        onSelect={setSelectedId}
      />
    </>
  );
}
