// `npm start`: migrate, build the app when its sources changed, then run the
// web app and the worker as two processes on the same database file.
import path from "node:path";
import concurrently from "concurrently";
import { openDatabase } from "../db/client";
import { getConfigOrExit } from "../lib/config";
import { log } from "../lib/log";
import { buildIfNeeded, isBuildCurrent } from "./build-if-needed";

const root = path.resolve(import.meta.dirname, "..");
const maxRestarts = 10;
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

async function main() {
  const config = getConfigOrExit();
  migrateOrExit(config.databasePath);
  if (!isBuildCurrent()) {
    // Written directly: the build blocks the logger's output until it ends.
    process.stdout.write(
      "Building the web app (first start, or its sources changed)...\n",
    );
    buildIfNeeded();
  }

  const bin = (name: string) => path.join(root, "node_modules/.bin", name);
  const { result } = concurrently(
    [
      {
        name: "app",
        command: `"${bin("next")}" start -H ${config.HOST} -p ${config.PORT}`,
      },
      { name: "worker", command: `"${bin("tsx")}" worker/main.ts` },
    ],
    {
      cwd: root,
      // A process that crashes is started again (a worker's claims come
      // back when their leases expire); one that keeps failing stops both.
      restartTries: maxRestarts,
      restartDelay: restartDelayMs,
      killOthersOn: ["failure"],
      prefixColors: ["cyan", "magenta"],
    },
  );
  log.info(
    { url: `http://${config.HOST}:${config.PORT}` },
    "Poets is starting",
  );
  await result.then(
    () => process.exit(0),
    () => process.exit(1),
  );
}

await main();
