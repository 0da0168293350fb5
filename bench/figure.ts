/** One measured figure of a bench run, over several runs. */
export type Figure = {
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  /** The goal, as people read it ("≥ 1.0× plainjob", "≤ 16"). */
  target?: string;
  pass?: boolean;
};

/** Median, min and max of a figure's runs. */
export function summarise(
  name: string,
  unit: string,
  samples: readonly number[],
  goal?: { target: string; isMet: (median: number) => boolean },
): Figure {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median =
    sorted.length % 2
      ? sorted[middle]
      : (sorted[middle - 1] + sorted[middle]) / 2;
  const figure: Figure = {
    name,
    unit,
    median,
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
  if (!goal) return figure;
  return { ...figure, target: goal.target, pass: goal.isMet(median) };
}

/** The value at fraction p (0–1) of the samples, nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil(p * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}
