"use client";

import { useSyncExternalStore } from "react";
import { focusRing } from "./button";

export type Theme = "light" | "dark";

/** Where the chosen theme is kept; absent means "follow the system". */
export const themeStorageKey = "poets-theme";

const darkQuery = "(prefers-color-scheme: dark)";

/**
 * Runs before the first paint (inline in the layout's head) and sets
 * data-theme on <html>, the one thing the CSS reads: the stored choice, or
 * else the system's theme, followed when the system changes. A stored choice
 * shows at once instead of flashing the system's theme first. Where storage
 * is refused, a choice holds until the system's theme changes.
 */
export const themeBootScript = `(function(){var d=document.documentElement,m=matchMedia("${darkQuery}");function a(){var t=null;try{t=localStorage.getItem("${themeStorageKey}")}catch(e){}d.dataset.theme=t==="light"||t==="dark"?t:m.matches?"dark":"light"}a();m.addEventListener("change",a)})()`;

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
