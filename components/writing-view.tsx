import { Fragment } from "react";
import type { WritingJson } from "@/lib/api-types";

// Model output is always shown as text: React escapes it, and nothing here
// ever renders it as HTML. Each piece sits in its own bidi isolate with
// `dir="auto"`, so right-to-left text or a stray override character cannot
// reorder the labels around it.

type Spec = Record<string, unknown>;

/** Stage 1 output: prose as written, or a spec's readable parts. */
export function WritingView({ writing }: { writing: WritingJson }) {
  if (writing.format === "text") {
    return (
      <pre
        dir="auto"
        className="font-serif text-base leading-relaxed wrap-anywhere whitespace-pre-wrap text-stone-900 [unicode-bidi:isolate]"
      >
        {writing.content}
      </pre>
    );
  }
  const spec = parseSpec(writing.content);
  return (
    <div className="space-y-2">
      {spec && <SpecSummary spec={spec} />}
      <details className="text-sm">
        <summary className="cursor-pointer text-stone-600 hover:text-stone-900">
          Spec (JSON)
        </summary>
        <pre
          dir="auto"
          className="mt-2 overflow-x-auto rounded-md bg-stone-50 p-3 text-xs wrap-anywhere whitespace-pre-wrap text-stone-800 [unicode-bidi:isolate]"
        >
          {spec ? JSON.stringify(spec, null, 2) : writing.content}
        </pre>
      </details>
    </div>
  );
}

function parseSpec(content: string): Spec | null {
  try {
    const value: unknown = JSON.parse(content);
    return value && typeof value === "object" ? (value as Spec) : null;
  } catch {
    return null; // shown raw below
  }
}

function SpecSummary({ spec }: { spec: Spec }) {
  const title = typeof spec.title === "string" ? spec.title : null;
  const facts = ["style", "genre", "key", "tempoBpm"]
    .filter(
      (key) => typeof spec[key] === "string" || typeof spec[key] === "number",
    )
    .map((key) => ({
      label: key === "tempoBpm" ? "bpm" : key,
      value: String(spec[key]),
    }));
  return (
    <div>
      {title && (
        <p
          dir="auto"
          className="font-serif text-lg text-stone-900 [unicode-bidi:isolate]"
        >
          {title}
        </p>
      )}
      {facts.length > 0 && (
        <p className="text-xs text-stone-500">
          {facts.map((fact, i) => (
            <Fragment key={fact.label}>
              {i > 0 && " · "}
              {fact.label}:{" "}
              <span dir="auto" className="[unicode-bidi:isolate]">
                {fact.value}
              </span>
            </Fragment>
          ))}
        </p>
      )}
      {typeof spec.prompt === "string" && (
        <p
          dir="auto"
          className="mt-1 text-sm wrap-anywhere whitespace-pre-wrap text-stone-700 [unicode-bidi:isolate]"
        >
          {spec.prompt}
        </p>
      )}
      {Array.isArray(spec.lyrics) && (
        <pre
          dir="auto"
          className="mt-2 font-serif text-base leading-relaxed wrap-anywhere whitespace-pre-wrap text-stone-900 [unicode-bidi:isolate]"
        >
          {lyricsText(spec.lyrics)}
        </pre>
      )}
    </div>
  );
}

function lyricsText(sections: unknown[]): string {
  return sections
    .map((section) => {
      const { label, lines } = (section ?? {}) as {
        label?: unknown;
        lines?: unknown;
      };
      const body = Array.isArray(lines) ? lines.map(String).join("\n") : "";
      return `[${String(label ?? "")}]\n${body}`;
    })
    .join("\n\n");
}
