import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const sourceFolders = ["app", "components", "db", "lib", "worker", "scripts"];

function sourceFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

const drizzleStatusWrite =
  /\.update\(\s*prompts\s*\)[\s\S]{0,300}?\.set\(\s*\{[^}]*\b(status|artifactStatus)\b/;
const sqlStatusWrite =
  /UPDATE\s+[`"]?prompts[`"]?\s+SET[^;]*\b(status|artifact_status)\b/i;

describe("status writes", () => {
  it("happen only in db/transitions.ts", () => {
    const offenders = sourceFolders
      .flatMap((folder) => sourceFiles(path.join(root, folder)))
      .filter((file) => !file.endsWith(path.join("db", "transitions.ts")))
      .filter((file) => {
        const text = fs.readFileSync(file, "utf8");
        return drizzleStatusWrite.test(text) || sqlStatusWrite.test(text);
      })
      .map((file) => path.relative(root, file));

    expect(offenders).toEqual([]);
  });

  it("would be caught in a file that wrote one", () => {
    const sample = `db.update(prompts)\n  .set({ status: "completed" })`;
    expect(drizzleStatusWrite.test(sample)).toBe(true);
    expect(
      sqlStatusWrite.test("UPDATE prompts SET artifact_status = 'ready'"),
    ).toBe(true);
  });
});
