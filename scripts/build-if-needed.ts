import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const sources = [
  "app",
  "components",
  "lib",
  "db",
  "next.config.mjs",
  "proxy.ts",
  "instrumentation.ts",
  "instrumentation-node.ts",
  "postcss.config.mjs",
  "package.json",
];

function newestMtimeMs(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs
    .readdirSync(entry)
    .reduce(
      (newest, child) =>
        Math.max(newest, newestMtimeMs(path.join(entry, child))),
      0,
    );
}

/** True when .next holds a production build newer than every source file. */
export function isBuildCurrent(): boolean {
  const built = fs.statSync(path.join(root, ".next", "BUILD_ID"), {
    throwIfNoEntry: false,
  });
  if (!built) return false;
  const newest = Math.max(
    ...sources.map((s) => newestMtimeMs(path.join(root, s))),
  );
  return built.mtimeMs >= newest;
}

/** Runs `next build` unless the current build is up to date. */
export function buildIfNeeded(): void {
  if (isBuildCurrent()) return;
  const result = spawnSync(
    path.join(root, "node_modules/.bin/next"),
    ["build"],
    {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    },
  );
  if (result.status !== 0) {
    throw new Error(`next build exited with ${result.status ?? result.signal}`);
  }
}
