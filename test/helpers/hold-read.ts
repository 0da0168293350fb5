// A child process for test/fault/long-reader.test.ts: holds one read
// transaction open for HOLD_MS, reading at its start and its end, and
// prints both counts (the same snapshot, so they should match).
import { openDatabase } from "../../db/client";

const db = openDatabase(process.env.DATABASE_PATH!);
const holdMs = Number(process.env.HOLD_MS ?? 10_000);
const count = () =>
  (
    db.$client.prepare("SELECT count(*) AS n FROM prompt_events").get() as {
      n: number;
    }
  ).n;

db.$client.exec("BEGIN");
const before = count();
process.stdout.write(`${JSON.stringify({ holding: true, before })}\n`);
setTimeout(() => {
  const after = count();
  db.$client.exec("COMMIT");
  db.$client.close();
  process.stdout.write(
    `${JSON.stringify({ released: true, before, after })}\n`,
  );
}, holdMs);
