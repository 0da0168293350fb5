"use client";

import { useSyncExternalStore } from "react";
import { focusRing } from "./button";

export type Theme = "light" | "dark";

/** Where the chosen theme is kept; absent means "follow the system". */
export const themeStorageKey = "poets-theme";

/**
 * Runs before the first paint (inline in the layout's head), so a stored
 * choice shows at once instead of flashing the system's theme first.
 */
export const themeBootScript = `try{var t=localStorage.getItem("${themeStorageKey}");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;

const darkQuery = "(prefers-color-scheme: dark)";

function currentTheme(): Theme {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === "light" || chosen === "dark") return chosen;
  return window.matchMedia(darkQuery).matches ? "dark" : "light";
}

const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  const media = window.matchMedia(darkQuery);
  media.addEventListener("change", listener);
  return () => {
    listeners.delete(listener);
    media.removeEventListener("change", listener);
  };
}

export function setTheme(theme: Theme) {
  document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(themeStorageKey, theme);
  } catch {
    // Private mode may refuse storage: the choice lasts for this page only.
  }
  for (const listener of listeners) listener();
}

/** A switch between the light and dark themes, remembered in this browser. */
export function ThemeToggle() {
  const theme = useSyncExternalStore(subscribe, currentTheme, () => "light");
  const isDark = theme === "dark";
  return (
    <button
      type="button"
      role="switch"
      aria-checked={isDark}
      data-testid="theme-toggle"
      onClick={() => setTheme(isDark ? "light" : "dark")}
      className={`flex items-center gap-1.5 rounded py-1 ${focusRing}`}
    >
      <span aria-hidden="true">{isDark ? "☾" : "☀"}</span>
      <span className="sr-only sm:not-sr-only">Dark theme</span>
    </button>
  );
}
