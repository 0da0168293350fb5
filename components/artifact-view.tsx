import type { ArtifactJson } from "@/lib/api-types";
import { formatBytes, formatDuration } from "./format";

type ArtifactViewProps = {
  artifact: ArtifactJson;
  promptId: number;
  /** What the file shows (its prompt's text), for alt text. */
  description?: string;
  /** Makes an image a button that opens it whole. */
  onOpen?: () => void;
};

/** A rendered file: the image itself or an audio player, with its facts. */
export function ArtifactView({
  artifact,
  promptId,
  description,
  onOpen,
}: ArtifactViewProps) {
  return (
    <figure className="space-y-1.5" data-testid={`artifact-${artifact.id}`}>
      {artifact.kind === "image" ? (
        <ImageOf
          artifact={artifact}
          alt={description ?? `Image rendered for #${promptId}`}
          onOpen={onOpen}
        />
      ) : artifact.kind === "video" ? (
        <video
          controls
          preload="metadata"
          src={artifact.url}
          aria-label={`Video rendered for #${promptId}`}
          width={artifact.width ?? undefined}
          height={artifact.height ?? undefined}
          className="h-auto max-w-full rounded-md border border-stone-200 bg-stone-100"
        />
      ) : (
        <audio
          controls
          preload="metadata"
          src={artifact.url}
          aria-label={`Audio rendered for #${promptId}`}
          className="w-full"
        />
      )}
      <figcaption className="text-xs text-stone-500">
        {factsOf(artifact).join(" · ")} ·{" "}
        <a
          href={artifact.url}
          download
          className="underline underline-offset-2 hover:text-stone-800"
        >
          Download
        </a>
      </figcaption>
    </figure>
  );
}

function ImageOf({
  artifact,
  alt,
  onOpen,
}: {
  artifact: ArtifactJson;
  alt: string;
  onOpen?: () => void;
}) {
  const image = (
    // Artifacts are local files of any size served by our own route;
    // next/image's optimizer would only add a second copy.
    // eslint-disable-next-line @next/next/no-img-element
    <img
      src={artifact.url}
      alt={alt}
      width={artifact.width ?? undefined}
      height={artifact.height ?? undefined}
      className="h-auto max-w-full rounded-md border border-stone-200 bg-stone-100"
    />
  );
  if (!onOpen) return image;
  return (
    <button
      type="button"
      onClick={onOpen}
      className="block cursor-zoom-in rounded-md focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600"
    >
      <span className="sr-only">Open image: </span>
      {image}
    </button>
  );
}

function factsOf(artifact: ArtifactJson): string[] {
  const facts = [artifact.mimeType, formatBytes(artifact.sizeBytes)];
  if (artifact.width && artifact.height) {
    facts.push(`${artifact.width}×${artifact.height}`);
  }
  if (artifact.durationMs !== null) {
    facts.push(formatDuration(artifact.durationMs));
  }
  facts.push(artifact.backend);
  if (artifact.sourceName) facts.push(`“${artifact.sourceName}”`);
  return facts;
}
