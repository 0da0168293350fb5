/**
 * Runs once when the app's server starts: checks the configuration and opens
 * (and migrates) the database, so that its absolute path is logged at start
 * and a bad value, or a file that cannot use WAL, stops the app at once.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { log } = await import("./lib/log");
  try {
    const { appDb } = await import("./app/api/_lib/db");
    appDb();
  } catch (error) {
    log.fatal({ err: error }, (error as Error).message);
    process.exit(1);
  }
}
