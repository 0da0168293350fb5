import fs from "node:fs";
import path from "node:path";
import { asc } from "drizzle-orm";
import type { Db } from "../../db/client";
import { createPrompt } from "../../db/prompts";
import {
  artifacts,
  promptEvents,
  prompts,
  workers,
  writings,
  type PromptEvent,
  type Worker,
} from "../../db/schema";
import { isAllowedTransition, stateKey } from "../../db/transitions";
import { isMediaType } from "../../lib/prompt-types";
import { isAlive, type Running } from "./processes";
import type { Sample } from "./samples";

/**
 * Short leases and beats so that a killed worker's prompt comes back within
 * a couple of seconds. Merge over a workspace's env.
 */
export const fastLeaseEnv = {
  LEASE_MS: "1500",
  HEARTBEAT_MS: "300",
  WORKER_STALE_MS: "1000",
  WORKER_IDLE_MS: "100",
  SHUTDOWN_GRACE_MS: "500",
  // A prompt killed again and again would otherwise fail on its fifth
  // attempt; these tests are about losing nothing, not about giving up.
  MAX_ATTEMPTS: "100",
};

/** The samples in an order that mixes the five types, cycled to count. */
export function mixedSamples(samples: Sample[], count: number): Sample[] {
  const byType = new Map<string, Sample[]>();
  for (const sample of samples) {
    byType.set(sample.type, [...(byType.get(sample.type) ?? []), sample]);
  }
  const groups = [...byType.values()];
  return Array.from({ length: count }, (_, i) => {
    const group = groups[i % groups.length];
    return group[Math.floor(i / groups.length) % group.length];
  });
}

export function submitSamples(db: Db, list: Sample[]): number[] {
  return list.map((s) => createPrompt(db, { ...s, priority: 0 }).id);
}

export type Outcome = {
  submitted: number;
  completed: number;
  /** Of the completed, those with a rendered artifact. */
  mediaCompleted: number;
  failed: number;
  /** Submitted but missing, or not finished after the drain. */
  lost: number;
  /** Writings or artifacts beyond one per prompt stage. */
  duplicated: number;
  problems: string[];
};

type Rows = {
  writingsByPrompt: Map<number, { id: number }[]>;
  artifactsByPrompt: Map<
    number,
    { writingId: number; fileName: string; sizeBytes: number }[]
  >;
  eventsByPrompt: Map<number, PromptEvent[]>;
};

function groupBy<T extends { promptId: number }>(rows: T[]) {
  const map = new Map<number, T[]>();
  for (const row of rows) {
    map.set(row.promptId, [...(map.get(row.promptId) ?? []), row]);
  }
  return map;
}

function readRows(db: Db): Rows {
  return db.transaction((tx) => ({
    writingsByPrompt: groupBy(
      tx
        .select({ id: writings.id, promptId: writings.promptId })
        .from(writings)
        .all(),
    ),
    artifactsByPrompt: groupBy(
      tx
        .select({
          promptId: artifacts.promptId,
          writingId: artifacts.writingId,
          fileName: artifacts.fileName,
          sizeBytes: artifacts.sizeBytes,
        })
        .from(artifacts)
        .all(),
    ),
    eventsByPrompt: groupBy(
      tx.select().from(promptEvents).orderBy(asc(promptEvents.id)).all(),
    ),
  }));
}

/**
 * Checks what every fault test promises after a drain: each submitted prompt
 * finished, exactly one writing (the one referenced), for media exactly one
 * artifact row whose file exists at its recorded size, and a timeline where
 * each event starts where the previous one ended.
 */
export function checkOutcome(
  db: Db,
  artifactsDir: string,
  submittedIds: number[],
): Outcome {
  const rows = readRows(db);
  const byId = new Map(
    db
      .select()
      .from(prompts)
      .all()
      .map((p) => [p.id, p]),
  );
  const outcome: Outcome = {
    submitted: submittedIds.length,
    completed: 0,
    mediaCompleted: 0,
    failed: 0,
    lost: 0,
    duplicated: 0,
    problems: [],
  };
  const problem = (id: number, what: string) =>
    outcome.problems.push(`prompt ${id}: ${what}`);

  for (const id of submittedIds) {
    const prompt = byId.get(id);
    if (!prompt) {
      outcome.lost += 1;
      problem(id, "missing");
      continue;
    }
    const media = isMediaType(prompt.type);
    const done = media
      ? prompt.status === "completed" && prompt.artifactStatus === "ready"
      : prompt.status === "completed" && prompt.artifactStatus === null;
    if (done && media) outcome.mediaCompleted += 1;
    if (done) outcome.completed += 1;
    else if (prompt.status === "failed") outcome.failed += 1;
    else {
      outcome.lost += 1;
      problem(id, `left at ${stateKey(prompt)}`);
    }
    if (prompt.status === "failed") problem(id, `failed: ${prompt.lastError}`);

    const ws = rows.writingsByPrompt.get(id) ?? [];
    const as = rows.artifactsByPrompt.get(id) ?? [];
    outcome.duplicated +=
      Math.max(0, ws.length - 1) + Math.max(0, as.length - (media ? 1 : 0));
    if (done && (ws.length !== 1 || ws[0].id !== prompt.outputReference)) {
      problem(
        id,
        `${ws.length} writings, referenced ${prompt.outputReference}`,
      );
    }
    if (done && media) checkArtifacts(artifactsDir, prompt, as, problem);
    checkTimeline(prompt, rows.eventsByPrompt.get(id) ?? [], problem);
  }
  return outcome;
}

function checkArtifacts(
  artifactsDir: string,
  prompt: { id: number; outputReference: number | null },
  rows: { writingId: number; fileName: string; sizeBytes: number }[],
  problem: (id: number, what: string) => void,
) {
  if (rows.length !== 1) {
    problem(prompt.id, `${rows.length} artifact rows`);
    return;
  }
  const [row] = rows;
  if (row.writingId !== prompt.outputReference) {
    problem(prompt.id, `artifact of writing ${row.writingId}`);
  }
  const file = path.join(artifactsDir, row.fileName);
  const size = fs.existsSync(file) ? fs.statSync(file).size : -1;
  if (size !== row.sizeBytes) {
    problem(
      prompt.id,
      `${row.fileName} is ${size} bytes, not ${row.sizeBytes}`,
    );
  }
}

/** Each event's from equals the previous event's to, and is allowed. */
function checkTimeline(
  prompt: { id: number; status: string; artifactStatus: string | null },
  events: PromptEvent[],
  problem: (id: number, what: string) => void,
) {
  let previous: string | null = null;
  for (const event of events) {
    const from = event.fromStatus
      ? stateKey({
          status: event.fromStatus,
          artifactStatus: event.fromArtifactStatus,
        })
      : null;
    const to = {
      status: event.toStatus,
      artifactStatus: event.toArtifactStatus,
    };
    if (from !== previous) {
      problem(prompt.id, `event ${event.id} from ${from} after ${previous}`);
    }
    const isLegal =
      from === null
        ? stateKey(to) === "unprocessed/-"
        : isAllowedTransition(
            {
              status: event.fromStatus!,
              artifactStatus: event.fromArtifactStatus,
            },
            to,
          );
    if (!isLegal)
      problem(prompt.id, `event ${event.id} ${from} → ${stateKey(to)}`);
    previous = stateKey(to);
  }
  const current = stateKey(prompt as Parameters<typeof stateKey>[0]);
  if (previous !== current) {
    problem(prompt.id, `timeline ends at ${previous}, prompt is ${current}`);
  }
}

/** Lines of process output that show the database was busy or locked. */
export function busyLines(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => /SQLITE_BUSY|database is locked/i.test(line));
}

/** Resolves after ms, or at once when it is 0. */
export const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The worker process a `startWorker` launch runs, by its row in `workers`
 * (the pid it registered, whatever launched it).
 */
export function findWorkerRow(db: Db, startedAfter: number): Worker | null {
  return (
    db
      .select()
      .from(workers)
      .all()
      .filter((w) => w.startedAt.getTime() >= startedAfter)
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())[0] ?? null
  );
}

/**
 * kill -9 of the worker itself, then of whatever launched it, so that no
 * launcher layer can leave the worker running as an orphan.
 */
export async function killHard(running: Running, workerPid: number | null) {
  if (workerPid !== null && isAlive(workerPid)) {
    process.kill(workerPid, "SIGKILL");
  }
  await running.stop("SIGKILL");
  if (workerPid !== null) {
    for (let i = 0; i < 100 && isAlive(workerPid); i++) await sleep(20);
  }
}

/**
 * For teardown: SIGKILL a process together with its children (Linux
 * /proc), so that no worker outlives a failed test.
 */
export async function killTree(running: Running) {
  const pid = running.child.pid;
  if (pid === undefined) return;
  const childrenFile = `/proc/${pid}/task/${pid}/children`;
  const children = fs.existsSync(childrenFile)
    ? fs.readFileSync(childrenFile, "utf8").split(" ").filter(Boolean)
    : [];
  for (const child of children.map(Number)) {
    if (isAlive(child)) process.kill(child, "SIGKILL");
  }
  await running.stop("SIGKILL");
}
