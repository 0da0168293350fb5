import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  readWorkerEntries,
  removeWorkerEntry,
  writeWorkerEntry,
  type WorkerEntry,
} from "@/lib/run-registry";

describe("run registry", () => {
  let runDir: string;
  beforeEach(() => {
    runDir = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), "poets-run-")),
      "run",
    );
  });
  afterEach(() =>
    fs.rmSync(path.dirname(runDir), { recursive: true, force: true }),
  );

  const now = Date.parse("2026-01-01T12:00:00Z");
  const entry = (overrides: Partial<WorkerEntry> = {}): WorkerEntry => ({
    workerId: "w-1",
    pid: process.pid,
    host: os.hostname(),
    dbPath: "/data/poets.db",
    version: "1.0.0",
    heartbeatAt: new Date(now - 1000).toISOString(),
    ...overrides,
  });
  const files = () => fs.readdirSync(path.join(runDir, "workers")).sort();

  it("writes an entry, creating the folders, and reads it back", () => {
    writeWorkerEntry(runDir, entry());

    expect(files()).toEqual(["w-1.json"]);
    expect(readWorkerEntries(runDir, now, 30_000)).toEqual([entry()]);
  });

  it("replaces an entry on the next heartbeat, leaving no temp file", () => {
    writeWorkerEntry(runDir, entry());
    const later = new Date(now).toISOString();
    writeWorkerEntry(runDir, entry({ heartbeatAt: later }));

    expect(files()).toEqual(["w-1.json"]);
    expect(readWorkerEntries(runDir, now, 30_000)).toEqual([
      entry({ heartbeatAt: later }),
    ]);
  });

  it("removes an entry, and removing a missing one is fine", () => {
    writeWorkerEntry(runDir, entry());

    removeWorkerEntry(runDir, "w-1");
    removeWorkerEntry(runDir, "w-1");

    expect(files()).toEqual([]);
  });

  it("reads nothing when the folder does not exist", () => {
    expect(readWorkerEntries(runDir, now, 30_000)).toEqual([]);
  });

  it("leaves out an entry whose heartbeat is stale, but keeps its file", () => {
    const old = new Date(now - 60_000).toISOString();
    writeWorkerEntry(runDir, entry({ heartbeatAt: old }));

    expect(readWorkerEntries(runDir, now, 30_000)).toEqual([]);
    expect(files()).toEqual(["w-1.json"]);
  });

  it("deletes the entry of a process that is gone from this host", () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    writeWorkerEntry(runDir, entry({ workerId: "w-dead", pid: gone }));
    writeWorkerEntry(runDir, entry());

    expect(readWorkerEntries(runDir, now, 30_000)).toEqual([entry()]);
    expect(files()).toEqual(["w-1.json"]);
  });

  it("keeps another host's entry without checking its pid", () => {
    const remote = entry({ host: `not-${os.hostname()}`, pid: 999_999_999 });
    writeWorkerEntry(runDir, remote);

    expect(readWorkerEntries(runDir, now, 30_000)).toEqual([remote]);
  });

  it("skips garbage and unreadable files", () => {
    writeWorkerEntry(runDir, entry());
    const folder = path.join(runDir, "workers");
    fs.writeFileSync(path.join(folder, "garbage.json"), "{not json");
    fs.writeFileSync(path.join(folder, "partial.json"), '{"workerId":"x"}');
    fs.writeFileSync(path.join(folder, "null.json"), "null");
    fs.mkdirSync(path.join(folder, "folder.json"));

    expect(readWorkerEntries(runDir, now, 30_000)).toEqual([entry()]);
  });
});
