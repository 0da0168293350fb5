import net from "node:net";
import { appDb } from "./app/api/_lib/db";
import { startCheckpointTimer } from "./db/wal";
import { eventHub } from "./app/api/events/hub";
import { findExposureProblem } from "./lib/auth";
import { getConfig } from "./lib/config";
import { log } from "./lib/log";

/**
 * The addresses this process listens on. Next listens before it loads this
 * module; `next start` without -H listens on every interface (`::`).
 */
function listeningAddresses(): string[] {
  const handles = (
    process as unknown as { _getActiveHandles(): unknown[] }
  )._getActiveHandles();
  return handles.flatMap((handle) => {
    if (!(handle instanceof net.Server) || !handle.listening) return [];
    const address = handle.address();
    return address && typeof address === "object" ? [address.address] : [];
  });
}

/** Exits when another machine could reach the app and ADMIN_TOKEN is unset. */
function refuseExposureOrExit() {
  // `next dev` is a developer's own tool; `next start` is what serves others.
  if (process.env.NODE_ENV !== "production") return;
  const token = getConfig().ADMIN_TOKEN;
  for (const address of listeningAddresses()) {
    const problem = findExposureProblem(address, token, "-H");
    if (problem) {
      process.stderr.write(`${problem}\n`);
      process.exit(1);
    }
  }
}

/**
 * The app server's start: check the configuration and open (and migrate) the
 * database, so that its path is logged at once and a bad value, or a file
 * that cannot use WAL, stops the app with the reason; refuse to serve other
 * machines without ADMIN_TOKEN.
 */
export function startApp() {
  try {
    refuseExposureOrExit();
    // Readers that never pause (open event streams) can keep SQLite's own
    // checkpoints from emptying the -wal file; this timer empties it.
    startCheckpointTimer(appDb());
  } catch (error) {
    log.fatal({ err: error }, (error as Error).message);
    process.exit(1);
  }
  // Open event streams would keep the server from closing on shutdown, and
  // browsers reconnect at once: end them on every signal, refuse new ones.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => eventHub.closeAll());
  }
}
