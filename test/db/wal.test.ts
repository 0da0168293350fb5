import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkpointIfLarge,
  journalSizeLimitBytes,
  lastCheckpointAt,
  walBytesOf,
} from "@/db/wal";
import { recordHeartbeat, registerWorker } from "@/db/workers";
import { makeTestDb } from "../helpers/workspace";

const root = path.resolve(import.meta.dirname, "../..");
const mib = 1024 * 1024;

// Each reader is its own thread and connection, reading in a tight loop, so
// that some read is nearly always open while the writer commits.
const readerSource = `
  const { workerData, parentPort } = require("node:worker_threads");
  const Database = require(workerData.driver);
  const db = new Database(workerData.file, { timeout: 5000 });
  const stop = new Int32Array(workerData.stop);
  const read = db.prepare("SELECT count(*) AS n FROM workers");
  let reads = 0;
  while (Atomics.load(stop, 0) === 0) {
    read.get();
    reads++;
  }
  db.close();
  parentPort.postMessage(reads);
`;

function startReaders(file: string, count: number) {
  const stop = new SharedArrayBuffer(4);
  const driver = path.join(root, "node_modules/better-sqlite3");
  const readers = Array.from(
    { length: count },
    () =>
      new Worker(readerSource, {
        eval: true,
        workerData: { file, driver, stop },
      }),
  );
  const done = readers.map(
    (reader) =>
      new Promise<number>((resolve, reject) => {
        reader.once("message", resolve);
        reader.once("error", reject);
      }),
  );
  return {
    async stop(): Promise<number[]> {
      Atomics.store(new Int32Array(stop), 0, 1);
      return Promise.all(done);
    },
  };
}

describe("checkpointIfLarge", () => {
  let testDb: ReturnType<typeof makeTestDb>;
  afterEach(() => testDb?.close());

  it("keeps the -wal file under 64 MiB while 5 readers loop and 20,000 updates commit, then shrinks it", async () => {
    testDb = makeTestDb();
    const { db } = testDb;
    registerWorker(db, { id: "w", version: "test", dbPath: "x" });
    const readers = startReaders(db.$client.name, 5);
    let peakBytes = 0;

    for (let i = 0; i < 20_000; i++) {
      recordHeartbeat(db, "w", i);
      if (i % 100 === 0) peakBytes = Math.max(peakBytes, walBytesOf(db));
    }
    const reads = await readers.stop();
    const endBytes = walBytesOf(db);
    const outcome = checkpointIfLarge(db, { thresholdBytes: mib });

    expect(reads.every((n) => n > 0)).toBe(true);
    expect(peakBytes).toBeLessThan(journalSizeLimitBytes);
    expect(endBytes).toBeLessThan(journalSizeLimitBytes);
    expect(outcome).toMatchObject({ mode: "TRUNCATE", busy: false });
    expect(walBytesOf(db)).toBeLessThan(mib);
  });
});

describe("checkpointIfLarge with a reader that never ends its transaction", () => {
  let testDb: ReturnType<typeof makeTestDb>;
  afterEach(() => testDb?.close());

  function growWal(db: ReturnType<typeof makeTestDb>["db"]) {
    for (let i = 0; i < 1000; i++) recordHeartbeat(db, "w", i);
  }

  it("leaves a small -wal file alone", () => {
    testDb = makeTestDb();

    expect(checkpointIfLarge(testDb.db)).toBeNull();
  });

  it("copies what it can without throwing busy, and empties the file once the reader ends", () => {
    testDb = makeTestDb();
    const { db } = testDb;
    registerWorker(db, { id: "w", version: "test", dbPath: "x" });
    const reader = new Database(db.$client.name);
    reader.prepare("BEGIN").run();
    reader.prepare("SELECT count(*) FROM workers").get();
    growWal(db);
    const held = walBytesOf(db);

    const whileHeld = checkpointIfLarge(db, { thresholdBytes: mib });
    reader.prepare("COMMIT").run();
    reader.close();
    const now = new Date("2026-01-02T03:04:05Z");
    const afterwards = checkpointIfLarge(db, { thresholdBytes: mib, now });

    expect(held).toBeGreaterThan(mib);
    expect(whileHeld).toMatchObject({ mode: "PASSIVE", busy: true });
    expect(afterwards).toMatchObject({ mode: "TRUNCATE", busy: false });
    expect(walBytesOf(db)).toBe(0);
    expect(lastCheckpointAt(db)).toEqual(now);
    expect(db.$client.pragma("busy_timeout", { simple: true })).toBe(5000);
  });
});

// A statement iterator holds a read transaction open until it is finished,
// which keeps checkpoints from emptying the -wal file (issue 3).
describe("source code", () => {
  it("has no statement iterators that could outlive a request", () => {
    const found: string[] = [];
    for (const folder of ["app", "db", "lib", "worker", "scripts"]) {
      for (const file of listSources(path.join(root, folder))) {
        if (/\.iterate\(/.test(fs.readFileSync(file, "utf8"))) {
          found.push(path.relative(root, file));
        }
      }
    }

    expect(found).toEqual([]);
  });
});

function listSources(folder: string): string[] {
  return fs
    .readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}
