import fs from "node:fs";
import path from "node:path";
import { buildIfNeeded } from "../scripts/build-if-needed";
import { createContext, type BenchContext } from "./lib/context";
import { formatTable, toRow, type Figure, type FigureRow } from "./lib/figures";

/**
 * Every measure: a module whose `run` measures its figures `ctx.runs` times
 * and returns them. `npm run bench -- <name>…` runs only those named.
 */
type Measure = {
  name: string;
  load: () => Promise<{ run(ctx: BenchContext): Promise<Figure[]> }>;
};

const measures: Measure[] = [
  { name: "sse", load: () => import("./sse") },
  { name: "submit", load: () => import("./submit") },
  { name: "lists", load: () => import("./lists") },
  { name: "queue", load: () => import("./queue") },
];

const budgetMs = 10 * 60_000;
const resultsDir = path.join(import.meta.dirname, "results");

async function main() {
  const startedAt = Date.now();
  const { names, runs } = parseArgs(process.argv.slice(2));
  const chosen = names.length
    ? measures.filter((m) => names.includes(m.name))
    : measures;
  const unknown = names.filter((n) => !measures.some((m) => m.name === n));
  if (unknown.length) {
    const known = measures.map((m) => m.name).join(", ");
    throw new UsageError(
      `unknown measure ${unknown.join(", ")} (known: ${known})`,
    );
  }

  buildIfNeeded();
  const ctx = createContext({ runs, startedAt });
  const onSignal = () => void ctx.stopAll().then(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const rows: FigureRow[] = [];
  try {
    for (const measure of chosen) {
      ctx.log(`measuring ${measure.name}`);
      const figures = await (await measure.load()).run(ctx);
      rows.push(...figures.map(toRow));
    }
  } finally {
    await ctx.stopAll();
  }
  report(rows, {
    startedAt,
    runs,
    measures: chosen.map((m) => m.name),
    isWhole: chosen.length === measures.length,
  });
}

function parseArgs(args: string[]) {
  let runs = 3;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--runs") runs = Number(args[++i]);
    else names.push(args[i]);
  }
  if (!Number.isInteger(runs) || runs < 1) {
    throw new UsageError("--runs takes a whole number of at least 1");
  }
  return { names, runs };
}

function report(
  rows: FigureRow[],
  run: {
    startedAt: number;
    runs: number;
    measures: string[];
    /** Every measure ran: only then is it the latest whole table. */
    isWhole: boolean;
  },
) {
  const elapsedMs = Date.now() - run.startedAt;
  const failed = rows.filter((row) => row.pass === false).length;
  process.stdout.write(`\n${formatTable(rows)}\n\n`);
  for (const row of rows.filter((r) => r.note)) {
    process.stdout.write(`- ${row.name}: ${row.note}\n`);
  }
  process.stdout.write(
    `\n${rows.length} figures, ${failed} missing their target, ` +
      `${run.runs} runs each, ${(elapsedMs / 1000).toFixed(0)} s ` +
      `(budget ${budgetMs / 60_000} min)\n`,
  );

  const result = {
    date: new Date(run.startedAt).toISOString(),
    elapsedMs,
    runs: run.runs,
    measures: run.measures,
    machine: { cpus: navigatorCpus(), node: process.version },
    figures: rows,
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  const stamp = result.date.replace(/:/g, "-").replace(/\..*/, "");
  const text = `${JSON.stringify(result, null, 2)}\n`;
  fs.writeFileSync(path.join(resultsDir, `${stamp}.json`), text);
  if (run.isWhole) {
    fs.writeFileSync(path.join(resultsDir, "latest.json"), text);
  }
  if (elapsedMs > budgetMs) process.exitCode = 1;
}

function navigatorCpus() {
  return globalThis.navigator?.hardwareConcurrency ?? null;
}

/** A mistake in how the bench was called: its message says it all. */
class UsageError extends Error {}

main().catch((error: unknown) => {
  const text =
    error instanceof UsageError
      ? `npm run bench: ${error.message}`
      : ((error as Error).stack ?? String(error));
  process.stderr.write(`${text}\n`);
  process.exit(1);
});
