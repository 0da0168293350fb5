import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import {
  drizzle,
  type BetterSQLite3Database,
} from "drizzle-orm/better-sqlite3";
import * as schema from "./schema";
import {
  checkDatabaseFileSystem,
  detectFileSystemType,
} from "../lib/file-system";
import { ensureWritableFolder, FolderError } from "../lib/folders";
import { log } from "../lib/log";
import { migrate } from "./migrate";
import { applyWalLimits } from "./wal";

export type Db = BetterSQLite3Database<typeof schema> & {
  $client: Database.Database;
};

/** Transaction option that takes the write lock at BEGIN. */
export const immediate = { behavior: "immediate" } as const;

export const busyTimeoutMs = 5_000;

export class DatabaseOpenError extends Error {}

/**
 * Opens the database file with the pragmas every connection must have and
 * applies pending migrations. Fails when the folder is on a file system
 * where WAL cannot work, or the file cannot be put in WAL mode.
 */
export function openDatabase(filePath: string): Db {
  const isMemory = filePath === ":memory:";
  const absolutePath = isMemory ? filePath : path.resolve(filePath);
  if (!isMemory) checkDatabaseFile(absolutePath);

  const sqlite = openSqlite(absolutePath);
  applyPragmas(sqlite, absolutePath);
  const db = drizzle({ client: sqlite, schema }) as Db;
  migrate(db);
  return db;
}

/** Everything that can be wrong with the file's place before SQLite opens it. */
function checkDatabaseFile(absolutePath: string) {
  const folder = path.dirname(absolutePath);
  ensureDatabaseFolder(folder);
  assertWalFileSystem(folder);
  assertFileWritable(absolutePath);
}

function ensureDatabaseFolder(folder: string) {
  try {
    ensureWritableFolder(folder, "database");
  } catch (error) {
    if (!(error instanceof FolderError)) throw error;
    throw new DatabaseOpenError(error.message, { cause: error });
  }
}

/**
 * For tests only: POETS_ASSUME_FS_TYPE makes the check see this file system
 * type instead of the real one, so a refusal can be tried on a local disk.
 */
function assertWalFileSystem(folder: string) {
  const seenType =
    process.env.POETS_ASSUME_FS_TYPE || detectFileSystemType(folder);
  const problem = seenType && checkDatabaseFileSystem(folder, seenType);
  if (problem) throw new DatabaseOpenError(problem);
}

/** SQLite opens a file it cannot write and fails only at the first write. */
function assertFileWritable(absolutePath: string) {
  for (const file of [
    absolutePath,
    `${absolutePath}-wal`,
    `${absolutePath}-shm`,
  ]) {
    try {
      fs.accessSync(file, fs.constants.W_OK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new DatabaseOpenError(
        `The database file ${file} is not writable by this user ` +
          `(${(error as Error).message}). Give this user write access to it, ` +
          "or run as the user that owns it.",
        { cause: error },
      );
    }
  }
}

function openSqlite(absolutePath: string): Database.Database {
  try {
    return new Database(absolutePath, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new DatabaseOpenError(
      `Cannot open the database at ${absolutePath}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function applyPragmas(sqlite: Database.Database, absolutePath: string) {
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const mode = enterWal(sqlite, absolutePath);
  if (String(mode).toLowerCase() !== "wal") {
    sqlite.close();
    throw new DatabaseOpenError(
      `The database at ${absolutePath} cannot use WAL (journal_mode is ` +
        `"${mode}"). Put DATABASE_PATH on a local disk; network shares and ` +
        `shared folders of virtual machines cannot hold a WAL database.`,
    );
  }
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  applyWalLimits(sqlite);
}

function enterWal(sqlite: Database.Database, absolutePath: string): unknown {
  try {
    return sqlite.pragma("journal_mode = WAL", { simple: true });
  } catch (error) {
    sqlite.close();
    throw new DatabaseOpenError(
      `Cannot put the database at ${absolutePath} in WAL mode: ` +
        `${(error as Error).message}. The folder must be writable by this ` +
        "process and on a local disk.",
      { cause: error },
    );
  }
}

/** The absolute path of the file a connection has open. */
export function databasePathOf(db: Db): string {
  return db.$client.name;
}

type GlobalWithDb = typeof globalThis & { __poetsDb?: Db };

/**
 * The process's one connection. Kept on globalThis so that every route
 * bundle of the app, and every hot reload in development, shares it.
 */
export function getDb(filePath: string): Db {
  const store = globalThis as GlobalWithDb;
  if (!store.__poetsDb || !store.__poetsDb.$client.open) {
    store.__poetsDb = openDatabase(filePath);
    log.info({ dbPath: store.__poetsDb.$client.name }, "database open");
  }
  return store.__poetsDb;
}
