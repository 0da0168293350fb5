"use client";

import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { useGallery } from "@/lib/client/gallery";
import type { GalleryFilter } from "@/lib/client/query-keys";
import { BrowseCard } from "./browse-card";
import { BrowseFilters } from "./browse-filters";
import { ImageViewer, type ViewerImage } from "./browse-viewer";

/** Finished work, newest first; more loads as the end scrolls into view. */
export function GalleryGrid() {
  const [filter, setFilter] = useState<GalleryFilter>({});
  const [viewing, setViewing] = useState<number | null>(null);
  const gallery = useGallery(filter);
  const items = gallery.data?.pages.flatMap((page) => page.items) ?? [];
  const images: ViewerImage[] = items.flatMap((item) =>
    item.artifacts
      .filter((artifact) => artifact.kind === "image")
      .map((artifact) => ({ artifact, prompt: item.prompt })),
  );
  const loadMore = () => {
    if (gallery.hasNextPage && !gallery.isFetchingNextPage) {
      void gallery.fetchNextPage();
    }
  };
  const sentinelRef = useInView(loadMore);

  return (
    <div className="space-y-4">
      <BrowseFilters filter={filter} onFilter={setFilter} />

      {gallery.isPending && <p className="text-sm text-stone-500">Loading…</p>}
      {gallery.isError && (
        <p className="text-sm text-rose-700">Could not load the gallery.</p>
      )}
      {gallery.data && items.length === 0 && (
        <p className="rounded-lg border border-dashed border-stone-300 px-4 py-6 text-center text-sm text-stone-500">
          {filter.q || filter.type
            ? "No finished work matches."
            : "Nothing finished yet."}
        </p>
      )}
      <div
        data-testid="gallery"
        aria-busy={gallery.isFetching}
        className="grid gap-4 md:grid-cols-2"
      >
        {items.map((item) => (
          <BrowseCard
            key={item.prompt.id}
            item={item}
            onOpenImage={setViewing}
          />
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

      <ImageViewer images={images} artifactId={viewing} onShow={setViewing} />
    </div>
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
