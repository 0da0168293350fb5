import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import {
  claimNextPrompt,
  recordWriting,
  renewRenderJob,
  type RenderServerChoice,
} from "@/db/claims";
import {
  cancelPrompt,
  createPrompt,
  getPrompt,
  requeuePrompt,
} from "@/db/prompts";
import {
  forgetJobStop,
  forgetStaleJobStops,
  listJobStops,
} from "@/db/render-job-stops";
import { listRenderServers, recordServerCheck } from "@/db/render-servers";
import { releaseClaim, waitForBackend } from "@/db/stage-failures";
import { makeTestDb } from "../helpers/workspace";

const a = "http://127.0.0.1:8188";
const b = "http://127.0.0.1:8189";

describe("render jobs", () => {
  let db: Db;
  let close: () => void;
  beforeEach(() => ({ db, close } = makeTestDb()));
  afterEach(() => close());

  /** n media prompts whose specs are written, waiting for stage 2. */
  function specsWritten(n: number): number[] {
    const ids = Array.from(
      { length: n },
      (_, i) =>
        createPrompt(db, {
          type: "image_prompt",
          text: `image ${i}`,
          priority: 0,
        }).id,
    );
    for (let i = 0; i < n; i++) {
      const write = claimNextPrompt(db, {
        workerId: "w",
        leaseMs: 30_000,
        stage: "write",
      })!;
      recordWriting(db, write, { format: "json", content: "{}", backend: "t" });
    }
    return ids;
  }

  const render = (servers: RenderServerChoice[], now?: Date) =>
    claimNextPrompt(db, {
      workerId: "w",
      leaseMs: 30_000,
      stage: "render",
      renderServers: servers,
      now,
    });

  const up = (url: string, capacity = 1): RenderServerChoice => ({
    url,
    capacity,
    healthy: true,
  });
  const stops = (url: string) =>
    listJobStops(db, url).map(({ jobId, promptId, reason }) => ({
      jobId,
      promptId,
      reason,
    }));

  const down = (url: string): RenderServerChoice => ({
    url,
    capacity: 1,
    healthy: false,
  });

  it("records a job id and its server in the claim that starts stage 2", () => {
    const [id] = specsWritten(1);

    const claim = render([up(a)])!;

    expect(claim.prompt.id).toBe(id);
    expect(claim.prompt.renderServer).toBe(a);
    expect(claim.prompt.renderJobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(getPrompt(db, id)!.renderJobId).toBe(claim.prompt.renderJobId);
  });

  it("gives each server one job at a time, then claims nothing", () => {
    specsWritten(3);

    const first = render([up(a), up(b)])!;
    const second = render([up(a), up(b)])!;
    const third = render([up(a), up(b)]);

    expect(
      [first.prompt.renderServer, second.prompt.renderServer].sort(),
    ).toEqual([a, b]);
    expect(third).toBeNull();
  });

  it("counts a server's capacity across workers and sends work to the one with room", () => {
    specsWritten(3);
    render([up(a, 2)]);

    const next = render([up(a, 2), up(b, 1)])!;

    // a runs one of two, b none of one: both have one free; then a again.
    expect([a, b]).toContain(next.prompt.renderServer);
    const third = render([up(a, 2), up(b, 1)])!;
    expect(third.prompt.renderServer).not.toBe(next.prompt.renderServer);
  });

  it("skips an unhealthy server while another is healthy", () => {
    specsWritten(2);

    const first = render([down(a), up(b)])!;
    const second = render([down(a), up(b)]);

    expect(first.prompt.renderServer).toBe(b);
    expect(second).toBeNull();
  });

  it("still claims when every server is down, so the wait can show why", () => {
    specsWritten(1);

    const claim = render([down(a), down(b)])!;

    expect([a, b]).toContain(claim.prompt.renderServer);
  });

  it("with every server down, leaves a prompt already waiting until one answers", () => {
    const [first, second] = specsWritten(2);
    const start = new Date("2026-03-01T10:00:00Z");
    const later = new Date(start.getTime() + 60_000);
    const claim = render([down(a)], start)!;
    waitForBackend(db, claim, {
      waitingReason: "unreachable: ComfyUI unreachable at " + a,
      runAfter: new Date(start.getTime() + 1000),
      now: start,
    });

    // The other prompt is claimed once, to learn why; the waiting one not.
    expect(render([down(a), down(b)], later)!.prompt.id).toBe(second);
    expect(render([down(a), down(b)], later)).toBeNull();
    expect(getPrompt(db, first)).toMatchObject({
      artifactStatus: "pending",
      waitingReason: expect.stringContaining("unreachable"),
    });
    // A server that answers takes it at once.
    expect(render([up(b)], later)!.prompt.id).toBe(first);
  });

  it("keeps the job of a prompt taken back, for the next worker to adopt", () => {
    specsWritten(1);
    const start = new Date("2026-03-01T10:00:00Z");
    const crashed = render([up(a), up(b)], start)!;

    const next = render([up(a), up(b)], new Date(start.getTime() + 30_001))!;

    expect(next.prompt.id).toBe(crashed.prompt.id);
    expect(next.prompt.renderJobId).toBe(crashed.prompt.renderJobId);
    expect(next.prompt.renderServer).toBe(crashed.prompt.renderServer);
  });

  it("starts a new job when the old job's server is no longer listed", () => {
    specsWritten(1);
    const held = render([up(a)])!;
    releaseClaim(db, held, "worker shutting down");

    const next = render([up(b)])!;

    expect(next.prompt.renderServer).toBe(b);
    expect(next.prompt.renderJobId).not.toBe(held.prompt.renderJobId);
    // Should server a come back with the old job queued, it is stopped.
    expect(stops(a)).toEqual([
      {
        jobId: held.prompt.renderJobId,
        promptId: held.prompt.id,
        reason: "moved to another server",
      },
    ]);
    expect(stops(b)).toEqual([]);
  });

  it("asks for no stop when the job is kept for adoption", () => {
    specsWritten(1);
    const start = new Date("2026-03-01T10:00:00Z");
    render([up(a)], start);

    render([up(a)], new Date(start.getTime() + 30_001));

    expect(stops(a)).toEqual([]);
  });

  it("asks for the job to be stopped when a prompt is cancelled while rendering", () => {
    specsWritten(1);
    const claim = render([up(a)])!;

    cancelPrompt(db, claim.prompt.id);

    expect(stops(a)).toEqual([
      {
        jobId: claim.prompt.renderJobId,
        promptId: claim.prompt.id,
        reason: "cancelled",
      },
    ]);
  });

  it("asks for no stop when the cancelled prompt never had a job", () => {
    const [id] = specsWritten(1);

    cancelPrompt(db, id);

    expect(listJobStops(db, a)).toEqual([]);
  });

  it("asks for the job to be stopped when a lease expires on the last attempt", () => {
    specsWritten(1);
    const start = new Date("2026-03-01T10:00:00Z");
    const crashed = render([up(a)], start)!;

    claimNextPrompt(db, {
      workerId: "w2",
      leaseMs: 30_000,
      maxAttempts: 1,
      now: new Date(start.getTime() + 30_001),
    });

    expect(getPrompt(db, crashed.prompt.id)!.artifactStatus).toBe("failed");
    expect(stops(a)).toEqual([
      {
        jobId: crashed.prompt.renderJobId,
        promptId: crashed.prompt.id,
        reason: "failed",
      },
    ]);
  });

  it("forgets a stop once done, and stops older than a day", () => {
    specsWritten(2);
    const now = new Date("2026-03-02T10:00:00Z");
    const dayAgo = new Date(now.getTime() - 86_400_001);
    const old = render([up(a), up(b)], dayAgo)!;
    const recent = render([up(a), up(b)], dayAgo)!;
    cancelPrompt(db, old.prompt.id, dayAgo);
    cancelPrompt(db, recent.prompt.id, now);

    expect(forgetStaleJobStops(db, now)).toBe(1);
    expect(listJobStops(db, old.prompt.renderServer!)).toEqual([]);
    const [left] = listJobStops(db, recent.prompt.renderServer!);
    expect(left.jobId).toBe(recent.prompt.renderJobId);
    forgetJobStop(db, left);
    expect(listJobStops(db, recent.prompt.renderServer!)).toEqual([]);
  });

  it("renews the job id only under the claim's lease", () => {
    specsWritten(1);
    const claim = render([up(a)])!;

    const renewed = renewRenderJob(db, claim)!;

    expect(renewed).not.toBe(claim.prompt.renderJobId);
    expect(getPrompt(db, claim.prompt.id)!.renderJobId).toBe(renewed);
    requeuePrompt(db, claim.prompt.id);
    expect(renewRenderJob(db, claim)).toBeNull();
  });

  it("forgets the job on requeue, so the prompt renders anew", () => {
    specsWritten(1);
    const claim = render([up(a)])!;

    const requeued = requeuePrompt(db, claim.prompt.id);

    expect(requeued).toMatchObject({ renderJobId: null, renderServer: null });
    // The old job may still run on ComfyUI: it is to be stopped there.
    expect(stops(a)).toEqual([
      {
        jobId: claim.prompt.renderJobId,
        promptId: claim.prompt.id,
        reason: "requeued",
      },
    ]);
  });

  it("records server checks and lists what each server renders", () => {
    const [id] = specsWritten(1);
    const t0 = new Date("2026-03-01T10:00:00Z");
    const t1 = new Date(t0.getTime() + 5000);
    const t2 = new Date(t0.getTime() + 10_000);
    recordServerCheck(db, {
      url: a,
      healthy: true,
      lastError: null,
      version: "0.3",
      checkedBy: "w",
      checkedAt: t0,
    });
    recordServerCheck(db, {
      url: a,
      healthy: true,
      lastError: null,
      version: "0.3",
      checkedBy: "w",
      checkedAt: t1,
    });
    render([up(a)]);
    recordServerCheck(db, {
      url: b,
      healthy: false,
      lastError: "refused",
      version: null,
      checkedBy: "w",
      checkedAt: t2,
    });

    const [first, second] = listRenderServers(db, [a, b]);

    expect(first.state).toMatchObject({
      healthy: true,
      checkedAt: t1,
      changedAt: t0,
    });
    expect(first.state!.rendering).toEqual([
      { promptId: id, jobId: getPrompt(db, id)!.renderJobId },
    ]);
    expect(second.state).toMatchObject({
      healthy: false,
      lastError: "refused",
      rendering: [],
    });
    recordServerCheck(db, {
      url: b,
      healthy: true,
      lastError: null,
      version: "0.3",
      checkedBy: "w",
      checkedAt: t2,
    });
    expect(listRenderServers(db, [b])[0].state!.changedAt).toEqual(t2);
  });
});
