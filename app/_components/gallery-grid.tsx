"use client";

import { useEffect, useRef, useState } from "react";
import { ArtifactView } from "@/components/artifact-view";
import { formatDateTime, typeLabel } from "@/components/format";
import { Button } from "@/components/ui/button";
import { WritingView } from "@/components/writing-view";
import type { GalleryItemJson } from "@/lib/api-types";
import { useGallery } from "@/lib/client/gallery";
import { promptTypes, type PromptType } from "@/lib/prompt-types";

/** Finished work, newest first; more loads as the end scrolls into view. */
export function GalleryGrid() {
  const [type, setType] = useState<PromptType | undefined>(undefined);
  const gallery = useGallery({ type });
  const items = gallery.data?.pages.flatMap((page) => page.items) ?? [];
  const loadMore = () => {
    if (gallery.hasNextPage && !gallery.isFetchingNextPage) {
      void gallery.fetchNextPage();
    }
  };
  const sentinelRef = useInView(loadMore);

  return (
    <div className="space-y-4">
      <label className="inline-block text-xs font-medium text-stone-600">
        Show
        <select
          value={type ?? ""}
          data-testid="gallery-filter-type"
          onChange={(e) =>
            setType((e.target.value || undefined) as PromptType | undefined)
          }
          className="mt-1 block rounded-md border border-stone-300 bg-white px-2 py-1.5 text-sm text-stone-900 focus:border-teal-600 focus:outline-2 focus:outline-teal-600/30"
        >
          <option value="">All work</option>
          {promptTypes.map((t) => (
            <option key={t} value={t}>
              {typeLabel(t)}
            </option>
          ))}
        </select>
      </label>

      {gallery.isPending && <p className="text-sm text-stone-500">Loading…</p>}
      {gallery.isError && (
        <p className="text-sm text-rose-700">Could not load the gallery.</p>
      )}
      {gallery.data && items.length === 0 && (
        <p className="rounded-lg border border-dashed border-stone-300 px-4 py-6 text-center text-sm text-stone-500">
          Nothing finished yet.
        </p>
      )}
      <div data-testid="gallery" className="grid gap-4 md:grid-cols-2">
        {items.map((item) => (
          <GalleryCard key={item.prompt.id} item={item} />
        ))}
      </div>

      {gallery.hasNextPage && (
        <div ref={sentinelRef}>
          <Button
            onClick={loadMore}
            disabled={gallery.isFetchingNextPage}
            data-testid="gallery-load-more"
            className="w-full"
          >
            {gallery.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
    </div>
  );
}

function GalleryCard({ item }: { item: GalleryItemJson }) {
  const { prompt, writing, artifacts } = item;
  return (
    <article
      data-testid={`gallery-item-${prompt.id}`}
      className="space-y-3 rounded-xl border border-stone-200 bg-white p-4 shadow-sm"
    >
      <header>
        <p className="text-xs text-stone-500">
          #{prompt.id} · {typeLabel(prompt.type)} ·{" "}
          <time dateTime={prompt.updatedAt}>
            {formatDateTime(prompt.updatedAt)}
          </time>
        </p>
        <p
          dir="auto"
          className="mt-0.5 line-clamp-2 text-sm wrap-anywhere text-stone-600 italic [unicode-bidi:isolate]"
        >
          {prompt.text}
        </p>
      </header>
      {artifacts.map((artifact) => (
        <ArtifactView
          key={artifact.id}
          artifact={artifact}
          promptId={prompt.id}
        />
      ))}
      {writing && <WritingView writing={writing} />}
    </article>
  );
}

/**
 * Calls `onVisible` when the element given to the returned callback ref
 * scrolls into view. If it stays in view after a load, the button remains.
 */
function useInView(onVisible: () => void) {
  const [element, setElement] = useState<HTMLElement | null>(null);
  const callbackRef = useRef(onVisible);
  useEffect(() => {
    callbackRef.current = onVisible;
  });
  useEffect(() => {
    if (!element) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          callbackRef.current();
        }
      },
      { rootMargin: "200px" },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return setElement;
}
