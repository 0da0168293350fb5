import { appDb } from "./app/api/_lib/db";
import { startCheckpointTimer } from "./db/wal";
import { eventHub } from "./app/api/events/hub";
import { log } from "./lib/log";

/**
 * The app server's start: check the configuration and open (and migrate) the
 * database, so that its path is logged at once and a bad value, or a file
 * that cannot use WAL, stops the app with the reason.
 */
export function startApp() {
  try {
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
