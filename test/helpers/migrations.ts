import fs from "node:fs";
import path from "node:path";

const journal = path.resolve(
  import.meta.dirname,
  "../../db/migrations/meta/_journal.json",
);

/** How many migrations the repository ships. */
export const migrationCount = (
  JSON.parse(fs.readFileSync(journal, "utf8")) as { entries: unknown[] }
).entries.length;
