import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import type { GalleryPageJson } from "@/lib/api-types";
import { fetchJson, withQuery } from "./fetcher";
import { galleryKeys, type GalleryFilter } from "./query-keys";

export const galleryPageSize = 12;

export function useGallery(filter: GalleryFilter) {
  return useInfiniteQuery({
    queryKey: galleryKeys.list(filter),
    queryFn: ({ pageParam, signal }) =>
      fetchJson<GalleryPageJson>(
        withQuery("/api/gallery", {
          ...filter,
          limit: galleryPageSize,
          cursor: pageParam,
        }),
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    // While a new search loads, the last results stay instead of a blank.
    placeholderData: keepPreviousData,
  });
}
