import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export class FolderError extends Error {}

/**
 * Creates a folder and any missing parents, one level at a time, and checks
 * that this process can write in it. Node's recursive mkdir never returns
 * on some paths (a missing folder under /proc, for one), so it is not used.
 */
export function ensureWritableFolder(folder: string, what: string): string {
  const absolute = path.resolve(folder);
  for (const level of missingLevels(absolute)) {
    try {
      fs.mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw folderError(what, absolute, `cannot create ${level}`, error);
    }
  }
  assertWritable(absolute, what);
  return absolute;
}

/** The folders from the deepest existing ancestor down, outermost first. */
function missingLevels(absolute: string): string[] {
  const missing: string[] = [];
  let current = absolute;
  while (!fs.existsSync(current)) {
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (!fs.statSync(current).isDirectory()) {
    throw new FolderError(
      `Cannot use the folder ${absolute}: ${current} is a file, not a folder.`,
    );
  }
  return missing;
}

function assertWritable(absolute: string, what: string) {
  const probe = path.join(absolute, `.write-check-${randomUUID()}`);
  try {
    fs.writeFileSync(probe, "");
    fs.rmSync(probe);
  } catch (error) {
    throw folderError(what, absolute, "cannot write in it", error);
  }
}

function folderError(
  what: string,
  absolute: string,
  problem: string,
  cause: unknown,
): FolderError {
  const reason = (cause as Error).message;
  return new FolderError(
    `The ${what} folder ${absolute} is not usable: ${problem} (${reason}). ` +
      "Choose a folder on a local disk that this user can write to.",
    { cause },
  );
}

/** For a process's start: the usable folder, or exit 1 saying why not. */
export function ensureWritableFolderOrExit(folder: string, what: string) {
  try {
    return ensureWritableFolder(folder, what);
  } catch (error) {
    if (!(error instanceof FolderError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
