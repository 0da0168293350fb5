import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { createPrompt } from "@/db/prompts";
import { promptEvents, prompts, writings } from "@/db/schema";
import {
  allowedTransitions,
  applyTransition,
  stateKey,
  type PromptState,
  type StateKey,
} from "@/db/transitions";
import { artifactStatuses, statuses } from "@/lib/prompt-types";
import { makeTestDb } from "../helpers/workspace";

function parseKey(key: StateKey): PromptState {
  const [status, artifact] = key.split("/") as [PromptState["status"], string];
  return {
    status,
    artifactStatus:
      artifact === "-" ? null : (artifact as PromptState["artifactStatus"]),
  };
}

/** A path of allowed transitions from a new prompt to `target`. */
function pathTo(target: StateKey): StateKey[] {
  const start: StateKey = "unprocessed/-";
  const previous = new Map<StateKey, StateKey | null>([[start, null]]);
  const queue: StateKey[] = [start];
  while (queue.length) {
    const key = queue.shift()!;
    for (const next of allowedTransitions[key] ?? []) {
      if (previous.has(next)) continue;
      previous.set(next, key);
      queue.push(next);
    }
  }
  const steps: StateKey[] = [];
  for (let k: StateKey | null = target; k && k !== start;) {
    steps.unshift(k);
    k = previous.get(k) ?? null;
  }
  return steps;
}

const allStates: StateKey[] = statuses.flatMap((s) =>
  (["-", ...artifactStatuses] as const).map((a) => `${s}/${a}` as StateKey),
);
const allowedPairs = Object.entries(allowedTransitions).flatMap(([from, tos]) =>
  tos!.map((to) => [from as StateKey, to] as const),
);
const forbiddenPairs = Object.keys(allowedTransitions).flatMap((from) =>
  allStates
    .filter((to) => !allowedTransitions[from as StateKey]!.includes(to))
    .map((to) => [from as StateKey, to] as const),
);

describe("applyTransition", () => {
  let db: Db;
  let close: () => void;

  beforeEach(() => {
    ({ db, close } = makeTestDb());
  });
  afterEach(() => close());

  function promptAt(key: StateKey) {
    const prompt = createPrompt(db, {
      type: "image_prompt",
      text: "a lighthouse",
      priority: 0,
    });
    for (const step of pathTo(key)) {
      applyTransition(db, {
        promptId: prompt.id,
        to: parseKey(step),
        reason: "test",
      });
    }
    return prompt.id;
  }

  const eventCount = () =>
    db.select({ n: count() }).from(promptEvents).get()!.n;

  it.each(allowedPairs)("allows %s → %s and records one event", (from, to) => {
    const id = promptAt(from);
    const before = eventCount();

    const { prompt, event } = applyTransition(db, {
      promptId: id,
      to: parseKey(to),
      reason: "test step",
    });

    expect(stateKey(prompt)).toBe(to);
    expect(eventCount()).toBe(before + 1);
    expect(event).toMatchObject({
      promptId: id,
      fromStatus: parseKey(from).status,
      fromArtifactStatus: parseKey(from).artifactStatus,
      toStatus: parseKey(to).status,
      toArtifactStatus: parseKey(to).artifactStatus,
      reason: "test step",
    });
    expect(prompt.lastEventId).toBe(event.id);
  });

  it.each(forbiddenPairs.filter((_, i) => i % 3 === 0))(
    "refuses %s → %s and changes nothing",
    (from, to) => {
      const id = promptAt(from);
      const before = db.select().from(prompts).where(eq(prompts.id, id)).get();
      const events = eventCount();

      expect(() =>
        applyTransition(db, { promptId: id, to: parseKey(to), reason: "x" }),
      ).toThrow(expect.objectContaining({ code: "illegal_transition" }));

      expect(db.select().from(prompts).where(eq(prompts.id, id)).get()).toEqual(
        before,
      );
      expect(eventCount()).toBe(events);
    },
  );

  it("refuses a result from a lease that is no longer current", () => {
    const id = promptAt("unprocessed/-");
    applyTransition(db, {
      promptId: id,
      to: { status: "processing", artifactStatus: null },
      reason: "claimed",
      patch: { leaseToken: "current" },
    });

    expect(() =>
      applyTransition(db, {
        promptId: id,
        to: { status: "completed", artifactStatus: "pending" },
        reason: "late result",
        leaseToken: "stale",
      }),
    ).toThrow(expect.objectContaining({ code: "lease_lost" }));
    expect(
      db.select().from(prompts).where(eq(prompts.id, id)).get()?.status,
    ).toBe("processing");
  });

  it("rolls back a stage's output when its transition is refused", () => {
    const id = promptAt("processing/-");

    expect(() =>
      db.transaction((tx) => {
        tx.insert(writings)
          .values({
            promptId: id,
            format: "text",
            content: "lines",
            backend: "test",
          })
          .run();
        applyTransition(tx, {
          promptId: id,
          to: { status: "completed", artifactStatus: "ready" },
          reason: "wrong target",
        });
      }),
    ).toThrow(/cannot go from processing\/- to completed\/ready/);

    expect(db.select({ n: count() }).from(writings).get()!.n).toBe(0);
  });

  it("makes a status write outside the transition function fail", () => {
    const id = promptAt("unprocessed/-");

    expect(() =>
      db
        .update(prompts)
        .set({ status: "completed" })
        .where(eq(prompts.id, id))
        .run(),
    ).toThrow(/without a transition event/);
    expect(() =>
      db.$client
        .prepare("UPDATE prompts SET artifact_status = 'ready' WHERE id = ?")
        .run(id),
    ).toThrow(/without a transition event/);
  });

  it("reports an unknown prompt as not found", () => {
    expect(() =>
      applyTransition(db, {
        promptId: 999,
        to: { status: "processing", artifactStatus: null },
        reason: "x",
      }),
    ).toThrow(expect.objectContaining({ code: "not_found" }));
  });
});
