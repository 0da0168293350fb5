import type { WritingJson } from "@/lib/api-types";

// Model output is always shown as text: React escapes it, and nothing here
// ever renders it as HTML.

type Spec = Record<string, unknown>;

/** Stage 1 output: prose as written, or a spec's readable parts. */
export function WritingView({ writing }: { writing: WritingJson }) {
  if (writing.format === "text") {
    return (
      <pre className="font-serif text-[15px] leading-relaxed whitespace-pre-wrap text-stone-900">
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
        <pre className="mt-2 overflow-x-auto rounded-md bg-stone-50 p-3 text-xs whitespace-pre-wrap text-stone-800">
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
    .map((key) => `${key === "tempoBpm" ? "bpm" : key}: ${String(spec[key])}`);
  return (
    <div>
      {title && <p className="font-serif text-lg text-stone-900">{title}</p>}
      {facts.length > 0 && (
        <p className="text-xs text-stone-500">{facts.join(" · ")}</p>
      )}
      {typeof spec.prompt === "string" && (
        <p className="mt-1 text-sm whitespace-pre-wrap text-stone-700">
          {spec.prompt}
        </p>
      )}
      {Array.isArray(spec.lyrics) && (
        <pre className="mt-2 font-serif text-[15px] leading-relaxed whitespace-pre-wrap text-stone-900">
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
