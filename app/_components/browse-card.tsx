import { ArtifactView } from "@/components/artifact-view";
import { formatDateTime, typeLabel } from "@/components/format";
import { focusRing } from "@/components/ui/button";
import { cardClasses } from "@/components/ui/card";
import { WritingView } from "@/components/writing-view";
import type { GalleryItemJson, WritingJson } from "@/lib/api-types";
import { CopyButton } from "./browse-copy";

type BrowseCardProps = {
  item: GalleryItemJson;
  onOpenImage: (artifactId: number) => void;
};

/** One piece of finished work: its prompt, media, writing, copy, download. */
export function BrowseCard({ item, onOpenImage }: BrowseCardProps) {
  const { prompt, writing, artifacts } = item;
  return (
    <article
      data-testid={`gallery-item-${prompt.id}`}
      className={`flex min-w-0 flex-col gap-4 ${cardClasses}`}
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
          description={prompt.text}
          onOpen={
            artifact.kind === "image"
              ? () => onOpenImage(artifact.id)
              : undefined
          }
        />
      ))}
      {writing && (
        <>
          {/* Focusable, so a keyboard can scroll a long writing too. */}
          <div
            role="region"
            aria-label={`Writing of #${prompt.id}`}
            tabIndex={0}
            className={`max-h-96 overflow-y-auto rounded-sm ${focusRing}`}
          >
            <WritingView writing={writing} />
          </div>
          <div>
            <CopyButton
              text={copyTextOf(writing)}
              what={writing.format === "json" ? "spec" : "writing"}
            />
          </div>
        </>
      )}
    </article>
  );
}

function copyTextOf(writing: WritingJson): string {
  if (writing.format === "text") return writing.content;
  try {
    return JSON.stringify(JSON.parse(writing.content), null, 2);
  } catch {
    return writing.content; // not JSON after all: copied as written
  }
}
