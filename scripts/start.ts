// `npm start`: migrate, build the app when its sources changed, then run the
// web app and the worker as two processes on the same database file.
import net from "node:net";
import path from "node:path";
import { openDatabase } from "../db/client";
import { findExposureProblem } from "../lib/auth";
import { getConfigOrExit } from "../lib/config";
import { ensureWritableFolderOrExit } from "../lib/folders";
import { log } from "../lib/log";
import { buildIfNeeded, isBuildCurrent } from "./build-if-needed";
import { supervise } from "./supervisor";

const root = path.resolve(import.meta.dirname, "..");
/** At most 10 restarts of one process within 10 minutes, 2 s apart. */
const maxRestarts = 10;
const restartWindowMs = 10 * 60_000;
const restartDelayMs = 2000;

function migrateOrExit(databasePath: string) {
  try {
    const db = openDatabase(databasePath);
    log.info({ dbPath: db.$client.name }, "database migrated");
    db.$client.close();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}

/**
 * Checks that the app will be able to listen, so that a port in use is one
 * clear message instead of a web server that keeps failing to start.
 */
async function checkListenOrExit(host: string, port: number) {
  const problem = await new Promise<string | null>((resolve) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      resolve(listenProblem(error, host, port)),
    );
    server.listen({ host, port, exclusive: true }, () =>
      server.close(() => resolve(null)),
    );
  });
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}

function listenProblem(
  error: NodeJS.ErrnoException,
  host: string,
  port: number,
): string {
  switch (error.code) {
    case "EADDRINUSE":
      return (
        `Port ${port} on ${host} is already in use by another program. ` +
        `Stop that program, or start Poets on another port: PORT=${port + 1} npm start`
      );
    case "EACCES":
      return (
        `Not allowed to listen on port ${port} on ${host} (ports below 1024 ` +
        `need special rights). Choose another PORT.`
      );
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return `HOST=${host} is not an address of this machine. Use 127.0.0.1, or an address this machine has.`;
    default:
      return `Cannot listen on ${host}:${port}: ${error.message}`;
  }
}

async function main() {
  const config = getConfigOrExit();
  const exposure = findExposureProblem(config.HOST, config.ADMIN_TOKEN, "HOST");
  if (exposure) {
    process.stderr.write(`${exposure}\n`);
    process.exit(1);
  }
  await checkListenOrExit(config.HOST, config.PORT);
  migrateOrExit(config.databasePath);
  ensureWritableFolderOrExit(config.artifactsDir, "artifacts");
  if (!isBuildCurrent()) {
    // Written directly: the build blocks the logger's output until it ends.
    process.stdout.write(
      "Building the web app (first start, or its sources changed)...\n",
    );
    buildIfNeeded();
  }

  const bin = (name: string) => path.join(root, "node_modules/.bin", name);
  const { exitCode } = supervise(
    [
      {
        name: "app",
        command: `"${bin("next")}" start -H ${config.HOST} -p ${config.PORT}`,
      },
      {
        name: "worker",
        // One process, so that a kill reaches the worker itself.
        command: `"${process.execPath}" --import tsx worker/main.ts`,
      },
    ],
    {
      cwd: root,
      // A process that crashes is started again (a worker's claims come
      // back when their leases expire); one that keeps failing stops both.
      maxRestarts,
      restartWindowMs,
      restartDelayMs,
      prefixColors: ["cyan", "magenta"],
    },
  );
  log.info(
    { url: `http://${config.HOST}:${config.PORT}` },
    "Poets is starting",
  );
  const code = await exitCode;
  log.info({ exitCode: code }, "Poets stopped");
  process.exit(code);
}

await main();
