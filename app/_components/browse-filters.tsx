"use client";

import { typeLabel } from "@/components/format";
import type { GalleryFilter } from "@/lib/client/query-keys";
import { promptTypes, type PromptType } from "@/lib/prompt-types";
import { SearchInput } from "./browse-search";

type BrowseFiltersProps = {
  filter: GalleryFilter;
  onFilter: (filter: GalleryFilter) => void;
};

const typeOptions: { value: PromptType | undefined; label: string }[] = [
  { value: undefined, label: "All" },
  ...promptTypes.map((type) => ({ value: type, label: typeLabel(type) })),
];

/** The kind of work shown, as a segmented choice, and a search box. */
export function BrowseFilters({ filter, onFilter }: BrowseFiltersProps) {
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
      <fieldset className="min-w-0">
        <legend className="text-xs font-medium text-stone-600">Show</legend>
        <div
          data-testid="gallery-filter-type"
          className="mt-1 flex flex-wrap gap-1 rounded-lg bg-stone-100 p-1"
        >
          {typeOptions.map((option) => (
            <label key={option.label} className="relative">
              <input
                type="radio"
                name="gallery-type"
                value={option.value ?? ""}
                checked={filter.type === option.value}
                onChange={() => onFilter({ ...filter, type: option.value })}
                className="peer sr-only"
              />
              <span className="block cursor-pointer rounded-md px-3 py-1 text-sm text-stone-600 peer-checked:bg-white peer-checked:text-stone-900 peer-checked:shadow-sm peer-focus-visible:outline-2 peer-focus-visible:outline-teal-600 hover:text-stone-900">
                {option.label}
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <SearchInput
        label="Search"
        testId="gallery-search"
        initialValue={filter.q}
        onSearch={(q) => onFilter({ ...filter, q })}
        className="min-w-0 flex-1"
      />
    </div>
  );
}
