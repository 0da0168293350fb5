// `npm run migrate`: apply pending migrations to the configured database
// file and say in one line what was done. The app, the worker and
// `npm start` also migrate as they open the file; this does it alone.
import fs from "node:fs";
import Database from "better-sqlite3";
import { getConfigOrExit } from "../lib/config";
import { busyTimeoutMs, openDatabase } from "./client";

/** How many migrations the database has recorded. */
function countMigrations(sqlite: Database.Database): number {
  const table = sqlite
    .prepare(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'",
    )
    .get();
  if (!table) return 0;
  const row = sqlite
    .prepare("SELECT count(*) AS count FROM __drizzle_migrations")
    .get() as { count: number };
  return row.count;
}

/** The count before this run; 0 for a file not made yet. */
function countMigrationsInFile(filePath: string): number {
  if (!fs.existsSync(filePath)) return 0;
  try {
    const sqlite = new Database(filePath, {
      readonly: true,
      timeout: busyTimeoutMs,
    });
    try {
      return countMigrations(sqlite);
    } finally {
      sqlite.close();
    }
  } catch (error) {
    throw new Error(
      `Cannot read the database at ${filePath}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Opens the file, which applies what is pending; returns the new count. */
function migrateFile(filePath: string): number {
  const db = openDatabase(filePath);
  try {
    return countMigrations(db.$client);
  } finally {
    db.$client.close();
  }
}

function main() {
  const { databasePath } = getConfigOrExit();

  let before: number;
  let after: number;
  try {
    before = countMigrationsInFile(databasePath);
    after = migrateFile(databasePath);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }

  // Written directly: one plain line for a person, not a log record.
  const applied = after - before;
  process.stdout.write(
    applied > 0
      ? `Applied ${applied} migration${applied === 1 ? "" : "s"} to ${databasePath} (${after} in all)\n`
      : `${databasePath} is up to date (${after} migrations)\n`,
  );
}

main();
