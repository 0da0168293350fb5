import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const resultsDir = path.resolve("bench/results");

/** `npm run bench -- <args>` as a person runs it, small enough for a test. */
function bench(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "bench/run.ts", ...args],
        { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    },
  );
}

describe("npm run bench", () => {
  it("prints one table with each queue figure, its target and the result, and saves it", async () => {
    const before = new Set(fs.readdirSync(resultsDir));
    const latest = fs.readFileSync(
      path.join(resultsDir, "latest.json"),
      "utf8",
    );

    const { code, stdout } = await bench(["queue", "--runs", "1"], {
      BENCH_SIZES: "1000,2000",
      BENCH_QUEUED: "300",
    });

    expect(code).toBe(0);
    const rows = stdout.split("\n").filter((line) => line.startsWith("| "));
    expect(rows[0]).toMatch(
      /^\| figure +\| median +\| spread .*\| target +\| pass +\|$/,
    );
    for (const figure of [
      "raw single-row commits",
      "plainjob: process (no-op job)",
      "schema floor: a poem's writes as bare SQL",
      "queue ÷ plainjob (process): 1k rows, 1 worker",
      "WAL pages per prompt: 2k rows, 2 workers",
      "claim p99: 2k rows, 2 workers",
      "busy errors: 2k rows, 2 workers",
      "queue 2k ÷ 1k rows, 1 worker",
    ]) {
      expect(rows.some((row) => row.startsWith(`| ${figure} `))).toBe(true);
    }
    // Every prompt went through: no busy error with two workers.
    expect(
      rows.find((row) => row.startsWith("| busy errors: 2k rows")),
    ).toMatch(/\| pass +\|$/);

    const added = fs
      .readdirSync(resultsDir)
      .filter((name) => !before.has(name));
    try {
      expect(added).toHaveLength(1);
      const saved = JSON.parse(
        fs.readFileSync(path.join(resultsDir, added[0]), "utf8"),
      );
      expect(saved.measures).toEqual(["queue"]);
      expect(saved.figures.length).toBe(rows.length - 2);
      // A run of one measure leaves the whole table of the last full run.
      expect(
        fs.readFileSync(path.join(resultsDir, "latest.json"), "utf8"),
      ).toBe(latest);
    } finally {
      for (const name of added) fs.rmSync(path.join(resultsDir, name));
    }
  }, 120_000);

  it("refuses an unknown measure or a bad run count in one line, measuring nothing", async () => {
    const unknown = await bench(["nosuch"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      "npm run bench: unknown measure nosuch (known: sse, submit, lists, queue)",
    );

    const zero = await bench(["queue", "--runs", "0"]);
    expect(zero.code).toBe(1);
    expect(zero.stderr.trim()).toBe(
      "npm run bench: --runs takes a whole number of at least 1",
    );
    expect(zero.stdout).not.toContain("| figure");
  });
});
