"use client";

import { useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import type { ArtifactJson, PromptJson } from "@/lib/api-types";

export type ViewerImage = { artifact: ArtifactJson; prompt: PromptJson };

type ImageViewerProps = {
  images: ViewerImage[];
  /** The artifact shown, or null when the viewer is closed. */
  artifactId: number | null;
  onShow: (artifactId: number | null) => void;
};

/**
 * One image at full size in a dialog: Escape closes it, the arrow keys (and
 * the buttons) move through the images loaded so far.
 */
export function ImageViewer({ images, artifactId, onShow }: ImageViewerProps) {
  const index = images.findIndex((i) => i.artifact.id === artifactId);
  const current = index === -1 ? null : images[index];
  const step = (by: number) => {
    const next = images[index + by];
    if (next) onShow(next.artifact.id);
  };
  useArrowKeys(current !== null, step);

  return (
    <Dialog
      open={current !== null}
      onClose={() => onShow(null)}
      testId="image-viewer"
      title={current ? `Image · #${current.prompt.id}` : ""}
      actions={
        current && (
          <span className="text-sm text-stone-500" aria-live="polite">
            {index + 1} of {images.length}
          </span>
        )
      }
    >
      {current && (
        <figure className="space-y-3">
          {/* Full size from our own route; see components/artifact-view. */}
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img
            src={current.artifact.url}
            alt={current.prompt.text}
            width={current.artifact.width ?? undefined}
            height={current.artifact.height ?? undefined}
            data-testid="image-viewer-image"
            className="mx-auto h-auto max-h-[70dvh] w-auto max-w-full rounded-md bg-stone-100 object-contain"
          />
          <figcaption
            dir="auto"
            className="text-sm wrap-anywhere text-stone-600 italic [unicode-bidi:isolate]"
          >
            {current.prompt.text}
          </figcaption>
          <div className="flex flex-wrap items-center gap-2">
            <Button
              size="sm"
              onClick={() => step(-1)}
              disabled={index <= 0}
              aria-keyshortcuts="ArrowLeft"
            >
              ← Previous
            </Button>
            <Button
              size="sm"
              onClick={() => step(1)}
              disabled={index >= images.length - 1}
              aria-keyshortcuts="ArrowRight"
            >
              Next →
            </Button>
            <a
              href={current.artifact.url}
              download
              className="ml-auto text-sm text-stone-700 underline underline-offset-2 hover:text-stone-900"
            >
              Download
            </a>
          </div>
        </figure>
      )}
    </Dialog>
  );
}

function useArrowKeys(active: boolean, step: (by: number) => void) {
  const stepRef = useRef(step);
  useEffect(() => {
    stepRef.current = step;
  });
  useEffect(() => {
    if (!active) return;
    const onKeyDown = (event: KeyboardEvent) => {
      const by = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
      if (by === undefined || event.altKey || event.metaKey) return;
      event.preventDefault();
      stepRef.current(by);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [active]);
}
