import { getDb, type Db } from "@/db/client";
import { getConfig } from "@/lib/config";

/** The app process's one connection, opened (and migrated) on first use. */
export function appDb(): Db {
  return getDb(getConfig().databasePath);
}
