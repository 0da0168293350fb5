// `npm start`: migrate, build the app when its sources changed, then run the
// web app and the worker as two processes on the same database file.
import path from "node:path";
import concurrently from "concurrently";
import { openDatabase } from "../db/client";
import { getConfigOrExit } from "../lib/config";
import { log } from "../lib/log";
import { buildIfNeeded, isBuildCurrent } from "./build-if-needed";

const root = path.resolve(import.meta.dirname, "..");

async function main() {
  const config = getConfigOrExit();
  const db = openDatabase(config.databasePath);
  log.info({ dbPath: db.$client.name }, "database migrated");
  db.$client.close();
  if (!isBuildCurrent()) {
    log.info("building the web app (first start, or its sources changed)");
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
      killOthersOn: ["failure", "success"],
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
