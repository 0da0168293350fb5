import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { databasePathOf, openDatabase, type Db } from "../db/client";
import { startCheckpointTimer } from "../db/wal";
import { markWorkerStopped, registerWorker } from "../db/workers";
import { getConfigOrExit, type Config } from "../lib/config";
import { ensureWritableFolderOrExit } from "../lib/folders";
import { log } from "../lib/log";
import { removeWorkerEntry, writeWorkerEntry } from "../lib/run-registry";
import { loadWritingConfigOrExit } from "../lib/writing-config";
import { loadWorkflows, WorkflowError } from "./comfyui-workflows";
import { createLlmWriter } from "./llm-writer";
import { runWorkerLoop } from "./loop";

const exitCodeBySignal: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** `npm run worker [-- --once]`: runs stages until stopped or drained. */
async function main(): Promise<number> {
  const config = getConfigOrExit();
  const writer = config.LLM_BASE_URL
    ? createLlmWriter(config, loadWritingConfigOrExit(config.writingConfigPath))
    : undefined;
  if (config.COMFYUI_URL) checkWorkflowsOrExit(config.workflowsDir);
  const db = openDatabaseOrExit(config);
  ensureWritableFolderOrExit(config.artifactsDir, "artifacts");
  const dbPath = fs.realpathSync(databasePathOf(db));
  const suffix = randomBytes(2).toString("hex");
  const workerId = `${os.hostname()}-${process.pid}-${suffix}`;
  const once = process.argv.slice(2).includes("--once");

  const version = readVersion();
  registerWorker(db, { id: workerId, version, dbPath });
  const announce = () =>
    announceWorker(config.runDir, { workerId, version, dbPath });
  announce();
  const backend = writer?.backend ?? "builtin";
  const renderer = config.COMFYUI_URL ? "comfyui" : "builtin";
  log.info(
    { workerId, version, dbPath, once, backend, renderer },
    "worker started",
  );
  const stop = new AbortController();
  handleSignals(stop, config);
  const stopCheckpoints = startCheckpointTimer(db);

  try {
    await runWorkerLoop({
      db,
      config,
      workerId,
      log: log.child({ workerId }),
      once,
      stopSignal: stop.signal,
      writer,
      onHeartbeat: announce,
    });
  } finally {
    stopCheckpoints();
    closeDatabase(db, workerId);
    withdrawWorker(config.runDir, workerId);
  }
  log.info({ workerId }, "worker stopped");
  return 0;
}

/**
 * Leaves this worker's pid, database file and heartbeat in RUN_DIR, where
 * the app finds it even when the worker writes to another database file.
 */
function announceWorker(
  runDir: string,
  worker: { workerId: string; version: string; dbPath: string },
) {
  try {
    writeWorkerEntry(runDir, {
      ...worker,
      pid: process.pid,
      host: os.hostname(),
      heartbeatAt: new Date().toISOString(),
    });
  } catch (error) {
    log.warn({ err: error, runDir }, "cannot write the worker's run entry");
  }
}

function withdrawWorker(runDir: string, workerId: string) {
  try {
    removeWorkerEntry(runDir, workerId);
  } catch (error) {
    log.warn({ err: error, runDir }, "cannot remove the worker's run entry");
  }
}

/** A bad workflow template stops the worker before it claims anything. */
function checkWorkflowsOrExit(workflowsDir: string) {
  try {
    loadWorkflows(workflowsDir);
  } catch (error) {
    if (!(error instanceof WorkflowError)) throw error;
    process.stderr.write(`Invalid ComfyUI workflow: ${error.message}\n`);
    process.exit(1);
  }
}

function openDatabaseOrExit(config: Config): Db {
  try {
    return openDatabase(config.databasePath);
  } catch (error) {
    log.fatal(
      { databasePath: config.databasePath, reason: (error as Error).message },
      "cannot open the database",
    );
    process.exit(1);
  }
}

function closeDatabase(db: Db, workerId: string) {
  try {
    markWorkerStopped(db, workerId);
  } finally {
    db.$client.close();
  }
}

/**
 * Copies of one stop request arrive together (Ctrl+C reaches the whole
 * process group, and a launcher may pass it on): only a signal this
 * long after the first is a person asking again.
 */
const repeatWindowMs = 1000;

/**
 * First signal: stop claiming and let the stage in flight finish (the loop
 * gives it SHUTDOWN_GRACE_MS, then hands the prompt back). A later one: exit
 * now; the lease returns the prompt later.
 */
function handleSignals(stop: AbortController, config: Config) {
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      if (Date.now() - firstAt < repeatWindowMs) return;
      log.warn({ signal }, "second signal; exiting at once");
      process.exit(exitCodeBySignal[signal] ?? 1);
    }
    log.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, "worker stopping");
    firstAt = Date.now();
    stop.abort();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

function readVersion(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const packageJson = fs.readFileSync(
    path.join(here, "../package.json"),
    "utf8",
  );
  return String((JSON.parse(packageJson) as { version?: unknown }).version);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log.fatal({ err: error }, "worker crashed");
    process.exit(1);
  },
);
