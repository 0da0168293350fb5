// `npm run soak [-- --minutes 3 --workers 3]`: keeps submitting mixed
// prompts while worker processes are killed with SIGKILL and restarted,
// then drains and checks that nothing was lost or recorded twice. Exits 1
// if anything was. Uses a temporary database; needs nothing running.
import { parseArgs } from "node:util";
import { openDatabase, type Db } from "../db/client";
import {
  busyLines,
  checkOutcome,
  fastLeaseEnv,
  findWorkerRow,
  killHard,
  mixedSamples,
  sleep,
  submitSamples,
} from "../test/helpers/fault";
import { startWorker, waitFor, type Running } from "../test/helpers/processes";
import { samples } from "../test/helpers/samples";
import { makeWorkspace, type Workspace } from "../test/helpers/workspace";

type Slot = { running: Running; pid: number | null };

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string", default: "3" },
    workers: { type: "string", default: "3" },
  },
});
const minutes = Number(args.minutes);
const workerCount = Number(args.workers);
if (!(minutes > 0) || !Number.isInteger(workerCount) || workerCount < 1) {
  process.stderr.write("usage: npm run soak -- [--minutes 3] [--workers 3]\n");
  process.exit(2);
}

const submitEveryMs = 200;
const killEveryMs = [2000, 5000] as const;

async function startSlot(workspace: Workspace, db: Db): Promise<Slot> {
  const startedAt = Date.now() - 5;
  const known = new Set(
    db.$client
      .prepare("SELECT pid FROM workers")
      .all()
      .map((r) => (r as { pid: number }).pid),
  );
  const running = startWorker({
    ...workspace.env,
    ...fastLeaseEnv,
    BUILTIN_DELAY_MS: "50",
  });
  let pid: number | null = null;
  await waitFor(() => {
    const row = findWorkerRow(db, startedAt);
    if (row && !known.has(row.pid)) pid = row.pid;
    return pid !== null;
  }, 30_000).catch(() => undefined);
  return { running, pid };
}

async function soak() {
  const startedAt = Date.now();
  const workspace = makeWorkspace("poets-soak-");
  const db = openDatabase(workspace.dbPath);
  const batch = mixedSamples(samples, samples.length * 4);
  const submitted: number[] = [];
  let outputs = "";
  let kills = 0;

  const slots: Slot[] = [];
  for (let i = 0; i < workerCount; i++) {
    slots.push(await startSlot(workspace, db));
  }
  const endAt = startedAt + minutes * 60_000;
  let nextKillAt = Date.now() + randomBetween(...killEveryMs);
  while (Date.now() < endAt) {
    const sample = batch[submitted.length % batch.length];
    submitted.push(...submitSamples(db, [sample]));
    if (Date.now() >= nextKillAt) {
      const index = Math.floor(Math.random() * slots.length);
      const { running, pid } = slots[index];
      await killHard(running, pid);
      outputs += running.output();
      kills += 1;
      slots[index] = await startSlot(workspace, db);
      nextKillAt = Date.now() + randomBetween(...killEveryMs);
    }
    await sleep(submitEveryMs);
  }

  for (const { running } of slots) {
    await running.stop("SIGTERM");
    outputs += running.output();
  }
  await sleep(Number(fastLeaseEnv.LEASE_MS) + 200);
  const drain = startWorker(
    { ...workspace.env, ...fastLeaseEnv, BUILTIN_DELAY_MS: "0" },
    ["--once"],
  );
  const drainCode = await drain.exited;
  outputs += drain.output();

  const outcome = checkOutcome(db, workspace.artifactsDir, submitted);
  const summary = {
    submitted: outcome.submitted,
    completed: outcome.completed,
    failed: outcome.failed,
    lost: outcome.lost,
    duplicated: outcome.duplicated,
    kills,
    busyErrors: busyLines(outputs).length,
    drainExitCode: drainCode,
    wallSeconds: Math.round((Date.now() - startedAt) / 1000),
  };
  process.stdout.write(`soak summary ${JSON.stringify(summary)}\n`);
  for (const line of outcome.problems.slice(0, 20)) {
    process.stdout.write(`  ${line}\n`);
  }
  db.$client.close();
  workspace.cleanup();
  return outcome.lost > 0 || outcome.duplicated > 0 ? 1 : 0;
}

function randomBetween(min: number, max: number) {
  return min + Math.random() * (max - min);
}

soak().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak crashed: ${String(error)}\n`);
    process.exit(1);
  },
);
