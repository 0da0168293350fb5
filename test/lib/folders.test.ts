import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureWritableFolder, FolderError } from "@/lib/folders";

describe("ensureWritableFolder", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "poets-folders-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("creates every missing level and leaves no check file behind", () => {
    const folder = path.join(dir, "a", "b", "c");

    const made = ensureWritableFolder(folder, "artifacts");

    expect(made).toBe(folder);
    expect(fs.statSync(folder).isDirectory()).toBe(true);
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it("accepts a folder that already exists", () => {
    expect(ensureWritableFolder(dir, "artifacts")).toBe(dir);
  });

  it("refuses a path that runs through a file, naming the file", () => {
    const file = path.join(dir, "hostname");
    fs.writeFileSync(file, "x");

    expect(() =>
      ensureWritableFolder(path.join(file, "art"), "artifacts"),
    ).toThrowError(new RegExp(`${file} is a file, not a folder`));
  });

  it("refuses a folder under /proc at once instead of looping", () => {
    // Node's recursive mkdir spins forever on this path.
    const attempt = () => ensureWritableFolder("/proc/poets-art", "artifacts");

    expect(attempt).toThrowError(FolderError);
    expect(attempt).toThrowError(/artifacts folder \/proc\/poets-art/);
  });

  it("refuses a folder it cannot write in", () => {
    if (process.getuid?.() === 0) {
      // root writes through permission bits; a read-only mount still stops it.
      expect(() => ensureWritableFolder("/proc/self", "artifacts")).toThrow(
        /cannot write in it/,
      );
      return;
    }
    fs.chmodSync(dir, 0o500);

    expect(() => ensureWritableFolder(dir, "artifacts")).toThrow(
      /cannot write in it/,
    );
  });
});
