"use client";

import {
  useEffect,
  useId,
  useRef,
  type ReactNode,
  type RefObject,
} from "react";
import { createPortal } from "react-dom";
import { Button } from "./button";

/** The page content the layout wraps; made inert while a dialog is open. */
export const appRootId = "app-root";

const focusableSelector = [
  "a[href]",
  "button:not([disabled])",
  "input:not([disabled])",
  "select:not([disabled])",
  "textarea:not([disabled])",
  "audio[controls]",
  '[tabindex]:not([tabindex="-1"])',
].join(",");

type DialogProps = {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  children: ReactNode;
  /** Extra controls in the header, left of the close button. */
  actions?: ReactNode;
  testId?: string;
  /** Focus moves to the first control again whenever this changes. */
  viewKey?: string | number;
  /** What Escape does; closing the dialog unless given. */
  onEscape?: () => void;
  /** Widens the dialog to most of a wide screen (`lg` up), at full height. */
  isWide?: boolean;
  /** The children lay out and scroll their own panes; the body neither pads nor scrolls. */
  hasPanes?: boolean;
};

/**
 * A modal dialog: focus moves in and is trapped, Escape and the backdrop
 * close it, the page behind is inert, and focus returns to the opener.
 */
export function Dialog({
  open,
  onClose,
  title,
  children,
  actions,
  testId,
  viewKey,
  onEscape = onClose,
  isWide = false,
  hasPanes = false,
}: DialogProps) {
  const panelRef = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useModalBehaviour(open, panelRef, onEscape);
  useEffect(() => {
    if (open) focusFirst(panelRef.current);
  }, [open, viewKey]);

  if (!open) return null;
  return createPortal(
    <div
      className="fixed inset-0 z-40 flex items-start justify-center overflow-y-auto bg-black/50 p-4 sm:p-8"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div
        ref={panelRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        data-testid={testId}
        className={`flex max-h-[calc(100dvh-2rem)] w-full max-w-3xl flex-col rounded-xl bg-white shadow-xl outline-none sm:max-h-[calc(100dvh-4rem)] ${isWide ? "lg:h-[calc(100dvh-4rem)] lg:max-w-6xl" : ""}`}
      >
        <header className="flex items-center gap-3 border-b border-stone-200 px-5 py-3">
          <h2 id={titleId} className="min-w-0 flex-1 text-lg font-semibold">
            {title}
          </h2>
          {actions}
          <Button
            variant="ghost"
            size="sm"
            onClick={onClose}
            aria-label="Close"
          >
            <span aria-hidden="true" className="text-lg leading-none">
              ×
            </span>
          </Button>
        </header>
        <div
          className={
            hasPanes
              ? "flex min-h-0 flex-1"
              : "min-h-0 flex-1 overflow-y-auto px-5 py-4"
          }
        >
          {children}
        </div>
      </div>
    </div>,
    document.body,
  );
}

function useModalBehaviour(
  open: boolean,
  panelRef: RefObject<HTMLDivElement | null>,
  onEscape: () => void,
) {
  const onEscapeRef = useRef(onEscape);
  useEffect(() => {
    onEscapeRef.current = onEscape;
  });

  useEffect(() => {
    if (!open) return;
    const opener = document.activeElement as HTMLElement | null;
    const restore = isolatePage();

    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        event.preventDefault();
        onEscapeRef.current();
      } else if (event.key === "Tab" && panelRef.current) {
        trapTab(event, panelRef.current);
      }
    };
    const onFocusIn = (event: FocusEvent) => {
      const panel = panelRef.current;
      if (panel && !panel.contains(event.target as Node)) panel.focus();
    };
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("focusin", onFocusIn);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("focusin", onFocusIn);
      restore();
      if (opener?.isConnected) opener.focus();
    };
  }, [open, panelRef]);
}

function isolatePage(): () => void {
  const root = document.getElementById(appRootId);
  const overflow = document.body.style.overflow;
  root?.setAttribute("inert", "");
  document.body.style.overflow = "hidden";
  return () => {
    root?.removeAttribute("inert");
    document.body.style.overflow = overflow;
  };
}

function focusablesIn(panel: HTMLElement): HTMLElement[] {
  return Array.from(
    panel.querySelectorAll<HTMLElement>(focusableSelector),
  ).filter((el) => el.getClientRects().length > 0);
}

function focusFirst(panel: HTMLElement | null) {
  if (!panel) return;
  const autofocus = panel.querySelector<HTMLElement>("[data-autofocus]");
  (autofocus ?? focusablesIn(panel)[0] ?? panel).focus();
}

function trapTab(event: KeyboardEvent, panel: HTMLElement) {
  const focusables = focusablesIn(panel);
  if (focusables.length === 0) {
    event.preventDefault();
    panel.focus();
    return;
  }
  const first = focusables[0];
  const last = focusables[focusables.length - 1];
  const active = document.activeElement;
  const isInside = panel.contains(active) && active !== panel;
  if (event.shiftKey && (active === first || !isInside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !isInside)) {
    event.preventDefault();
    first.focus();
  }
}
