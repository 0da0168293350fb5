import { getDb, type Db } from "@/db/client";
import { getConfig } from "@/lib/config";
import { log } from "@/lib/log";

let announced = false;

/** The app process's one connection, opened (and migrated) on first use. */
export function appDb(): Db {
  const db = getDb(getConfig().databasePath);
  if (!announced) {
    announced = true;
    log.info({ dbPath: db.$client.name }, "app database open");
  }
  return db;
}
