export type DotTone = "ok" | "wait" | "bad";

const dotColors: Record<DotTone, string> = {
  ok: "bg-emerald-500",
  wait: "bg-amber-400",
  bad: "bg-rose-500",
};

/** A coloured dot beside a label that says the same thing in words. */
export function StatusDot({ tone }: { tone: DotTone }) {
  return (
    <span
      aria-hidden="true"
      className={`size-2 shrink-0 rounded-full ${dotColors[tone]}`}
    />
  );
}
