"use client";

import { useEffect, useRef, useState } from "react";

export const searchDebounceMs = 250;

type SearchInputProps = {
  label: string;
  testId: string;
  /** The search in effect, for the first render. */
  initialValue?: string;
  /** Called with the words typed (undefined when blank), once typing pauses. */
  onSearch: (q: string | undefined) => void;
  className?: string;
};

/** A search box that reports what was typed once typing pauses. */
export function SearchInput({
  label,
  testId,
  initialValue = "",
  onSearch,
  className = "",
}: SearchInputProps) {
  const [text, setText] = useState(initialValue);
  const onSearchRef = useRef(onSearch);
  const reported = useRef(initialValue.trim());
  useEffect(() => {
    onSearchRef.current = onSearch;
  });
  useEffect(() => {
    const q = text.trim();
    if (q === reported.current) return;
    const timer = setTimeout(() => {
      reported.current = q;
      onSearchRef.current(q || undefined);
    }, searchDebounceMs);
    return () => clearTimeout(timer);
  }, [text]);

  return (
    <label className={`text-xs font-medium text-stone-600 ${className}`}>
      {label}
      <input
        type="search"
        value={text}
        maxLength={200}
        data-testid={testId}
        placeholder="Words in the prompt or writing"
        onChange={(e) => setText(e.target.value)}
        className="mt-1 block w-full rounded-md border border-stone-300 bg-white px-2 py-1.5 text-sm text-stone-900 placeholder:text-stone-400 focus:border-teal-600 focus:outline-2 focus:outline-teal-600/30"
      />
    </label>
  );
}
