/**
 * One number the benchmark reports: a value per run, its unit and, when the
 * issue sets one, the target its median must meet.
 */
export type Figure = {
  name: string;
  unit: string;
  /** One value per run, in the order the runs happened. */
  runs: number[];
  target?: { max?: number; min?: number };
  /** A ratio of two figures measured in the same run. */
  isRatio?: boolean;
  note?: string;
};

export type FigureRow = {
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  runs: number[];
  target: string;
  pass: boolean | null;
  isRatio: boolean;
  note?: string;
};

/** The value below which `p` (0–100) percent of the sorted values fall. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function toRow(figure: Figure): FigureRow {
  const runs = figure.runs.filter((v) => Number.isFinite(v));
  const mid = median(runs);
  const { max, min } = figure.target ?? {};
  const hasTarget = max !== undefined || min !== undefined;
  const pass = !hasTarget
    ? null
    : runs.length > 0 &&
      (max === undefined || mid <= max) &&
      (min === undefined || mid >= min);
  return {
    name: figure.name,
    unit: figure.unit,
    median: mid,
    min: runs.length ? Math.min(...runs) : Number.NaN,
    max: runs.length ? Math.max(...runs) : Number.NaN,
    runs: figure.runs,
    target: describeTarget(figure),
    pass,
    isRatio: figure.isRatio ?? false,
    note: figure.note,
  };
}

function describeTarget(figure: Figure): string {
  const { max, min } = figure.target ?? {};
  const unit = figure.unit === "×" ? "×" : ` ${figure.unit}`;
  if (max !== undefined && min !== undefined) {
    return `${min}–${max}${unit}`;
  }
  if (max !== undefined) return `≤ ${max}${unit}`;
  if (min !== undefined) return `≥ ${min}${unit}`;
  return "";
}

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "–";
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toFixed(digits);
  return unit === "×" ? `${text}×` : `${text} ${unit}`;
}

/** The rows as a Markdown table (also readable in a terminal). */
export function formatTable(rows: readonly FigureRow[]): string {
  const header = ["figure", "median", "spread (min–max)", "target", "pass"];
  const body = rows.map((row) => [
    row.name,
    formatValue(row.median, row.unit),
    row.runs.length > 1
      ? `${formatValue(row.min, row.unit)} – ${formatValue(row.max, row.unit)}`
      : "",
    row.target,
    row.pass === null ? "" : row.pass ? "pass" : "FAIL",
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((cells) => cells[i].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  const rule = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  return [line(header), rule, ...body.map(line)].join("\n");
}
