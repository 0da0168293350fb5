import type Database from "better-sqlite3";
import type { Writer } from "./transitions";

const cache = new WeakMap<Database.Database, Map<string, unknown>>();

/**
 * A statement prepared once per connection and kept: the queue's hot path
 * runs a few statements per prompt, and building their SQL and having
 * SQLite compile them (an UPDATE of prompts compiles every trigger on it)
 * cost more than running them. `build` must give the same statement for
 * the same key.
 */
export function prepared<T>(writer: Writer, key: string, build: () => T): T {
  const sqlite = connectionOf(writer);
  let statements = cache.get(sqlite);
  if (!statements) cache.set(sqlite, (statements = new Map()));
  let statement = statements.get(key) as T | undefined;
  if (statement === undefined) {
    statement = build();
    statements.set(key, statement);
  }
  return statement;
}

/**
 * The connection under a database or a transaction. Drizzle keeps it on the
 * session, which its types mark internal; a transaction shares the
 * database's session, so both give the same connection.
 */
function connectionOf(writer: Writer): Database.Database {
  return (writer as unknown as { session: { client: Database.Database } })
    .session.client;
}
