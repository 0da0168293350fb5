import { afterEach, describe, expect, it } from "vitest";
import { recentWorkersJson } from "@/app/api/_lib/workers";
import { markWorkerStopped, registerWorker } from "@/db/workers";
import { makeTestDb } from "../../../helpers/workspace";

describe("recentWorkersJson", () => {
  let testDb: ReturnType<typeof makeTestDb>;
  afterEach(() => testDb?.close());

  const now = Date.parse("2026-03-01T12:00:00Z");
  const hoursAgo = (h: number) => new Date(now - h * 3600_000);
  const register = (id: string, at: Date) =>
    registerWorker(testDb.db, { id, version: "t", dbPath: "/db" }, at);

  it("lists workers seen in the last day, the latest heartbeat first", () => {
    testDb = makeTestDb();
    register("w-old", hoursAgo(30));
    register("w-stopped", hoursAgo(5));
    markWorkerStopped(testDb.db, "w-stopped", hoursAgo(4));
    register("w-dead", hoursAgo(1));
    register("w-alive", new Date(now - 1000));

    const workers = recentWorkersJson(testDb.db, now);

    expect(workers.map((w) => [w.id, w.state])).toEqual([
      ["w-alive", "alive"],
      ["w-dead", "dead"],
      ["w-stopped", "stopped"],
    ]);
  });

  it("keeps the last worker seen when none was seen in the last day", () => {
    testDb = makeTestDb();
    register("w-older", hoursAgo(72));
    register("w-old", hoursAgo(30));

    const workers = recentWorkersJson(testDb.db, now);

    expect(workers.map((w) => [w.id, w.state])).toEqual([["w-old", "dead"]]);
  });
});
