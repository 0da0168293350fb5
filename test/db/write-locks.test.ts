import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  claimNextPrompt,
  extendLease,
  recordArtifacts,
  recordWriting,
  reportProgress,
  type Claim,
} from "@/db/claims";
import type { Db } from "@/db/client";
import {
  countPrompts,
  createPrompt,
  getPromptDetail,
  requeuePrompt,
} from "@/db/prompts";
import {
  failStage,
  releaseClaim,
  retryStage,
  waitForBackend,
} from "@/db/stage-failures";
import { makeTestDb } from "../helpers/workspace";

/**
 * Records how each transaction begins: better-sqlite3 runs a transaction
 * function through its .deferred, .immediate or .exclusive variant.
 */
function recordBeginnings(db: Db): string[] {
  const seen: string[] = [];
  const client = db.$client;
  const original = client.transaction.bind(client);
  client.transaction = ((fn: (...args: unknown[]) => unknown) =>
    new Proxy(original(fn), {
      get(target, key, receiver) {
        if (typeof key === "string") seen.push(key);
        return Reflect.get(target, key, receiver);
      },
    })) as typeof client.transaction;
  return seen;
}

// Issue #3, item 3: a read-then-write that begins deferred can fail with
// SQLITE_BUSY that the busy timeout cannot wait out.
describe("write locks", () => {
  let db: Db;
  let close: () => void;
  let seen: string[];
  beforeEach(() => {
    ({ db, close } = makeTestDb());
    seen = recordBeginnings(db);
  });
  afterEach(() => close());

  const claim = () =>
    claimNextPrompt(db, { workerId: "w1", leaseMs: 60_000 }) as Claim;
  const addImage = () =>
    createPrompt(db, { type: "image_prompt", text: "a fox", priority: 0 });
  const later = new Date(Date.now() + 1000);

  it("begins every transaction that writes as immediate", () => {
    addImage();
    recordWriting(db, claim(), { format: "json", content: "{}", backend: "t" });
    recordArtifacts(db, claim(), []);
    addImage();
    retryStage(db, claim(), { lastError: "x", runAfter: later, detail: "x" });
    addImage();
    waitForBackend(db, claim(), { waitingReason: "x", runAfter: later });
    addImage();
    releaseClaim(db, claim(), "worker stopping");
    const failing = claim();
    failStage(db, failing, "permanent: x");
    requeuePrompt(db, failing.prompt.id);

    expect(seen.length).toBeGreaterThanOrEqual(14);
    expect(new Set(seen)).toEqual(new Set(["immediate"]));
  });

  it("reads without taking the write lock", () => {
    const id = addImage().id;
    seen.length = 0;

    getPromptDetail(db, id);
    countPrompts(db); // one statement, so no transaction at all

    expect(seen).toEqual(["deferred"]);
  });

  it("extends leases and reports progress in single statements", () => {
    addImage();
    const held = claim();
    seen.length = 0;

    expect(extendLease(db, held, 60_000)).toBe(true);
    expect(reportProgress(db, held, 50)).toBe(true);

    expect(seen).toEqual([]);
  });
});
