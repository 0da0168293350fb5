import fs from "node:fs";
import path from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { Db } from "./client";

/**
 * The migrations folder: POETS_MIGRATIONS_DIR, else the one beside this file
 * (the worker runs db/ from source), else db/migrations under the working
 * folder (the app's server bundle has no source folder beside it).
 */
function findMigrationsFolder(): string {
  const candidates = [
    process.env.POETS_MIGRATIONS_DIR,
    import.meta.dirname &&
      path.join(/*turbopackIgnore: true*/ import.meta.dirname, "migrations"),
    path.join(/*turbopackIgnore: true*/ process.cwd(), "db", "migrations"),
  ].filter((folder): folder is string => Boolean(folder));
  const found = candidates.find((folder) =>
    fs.existsSync(path.join(folder, "meta", "_journal.json")),
  );
  if (!found) {
    throw new Error(
      `No database migrations found (looked in ${candidates.join(", ")}); ` +
        "run Poets from its project folder or set POETS_MIGRATIONS_DIR",
    );
  }
  return path.resolve(found);
}

/**
 * Applies drizzle-kit migrations that have not run yet. Reading what ran and
 * applying the rest happen under one write lock, so the app and the worker
 * starting at the same moment apply each migration exactly once.
 */
export function migrate(db: Db): number {
  const migrations = readMigrationFiles({
    migrationsFolder: findMigrationsFolder(),
  });
  const sqlite = db.$client;

  const applyPending = sqlite.transaction(() => {
    sqlite.exec(
      "CREATE TABLE IF NOT EXISTS __drizzle_migrations " +
        "(id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)",
    );
    const last = sqlite
      .prepare(
        "SELECT created_at AS createdAt FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1",
      )
      .get() as { createdAt: number } | undefined;
    const pending = migrations.filter(
      (m) => !last || Number(last.createdAt) < m.folderMillis,
    );
    const record = sqlite.prepare(
      "INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)",
    );
    for (const migration of pending) {
      for (const statement of migration.sql) {
        if (statement.trim()) sqlite.exec(statement);
      }
      record.run(migration.hash, migration.folderMillis);
    }
    return pending.length;
  });

  return applyPending.immediate();
}
