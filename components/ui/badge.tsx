import type { ComponentProps } from "react";

export type BadgeTone =
  "neutral" | "info" | "progress" | "success" | "danger" | "muted";

const toneClasses: Record<BadgeTone, string> = {
  neutral: "bg-stone-100 text-stone-700 ring-stone-300",
  info: "bg-sky-50 text-sky-800 ring-sky-200",
  progress: "bg-amber-50 text-amber-800 ring-amber-200",
  success: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  danger: "bg-rose-50 text-rose-800 ring-rose-200",
  muted: "bg-stone-50 text-stone-600 ring-stone-200",
};

type BadgeProps = ComponentProps<"span"> & { tone?: BadgeTone };

export function Badge({
  tone = "neutral",
  className = "",
  ...props
}: BadgeProps) {
  return (
    <span
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${toneClasses[tone]} ${className}`}
      {...props}
    />
  );
}
