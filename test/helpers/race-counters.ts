// A child process for test/fault/racing-writers.test.ts: opens the file
// through db/client.ts, as the app and the worker do, and runs 500
// read-then-write transactions that open immediate. Prints the error count.
import { immediate, openDatabase } from "../../db/client";

const db = openDatabase(process.env.DATABASE_PATH!);
const offset = Number(process.env.RACER ?? 0);
const read = db.$client.prepare("SELECT count FROM race_counters WHERE id = ?");
const write = db.$client.prepare(
  "UPDATE race_counters SET count = ? WHERE id = ?",
);

// Both racers start at the same moment, past their start-up time.
const startAt = Number(process.env.START_AT ?? 0);
while (Date.now() < startAt)
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);

let errors = 0;
for (let i = 0; i < 500; i++) {
  const id = 1 + ((i * 7 + offset) % 20);
  try {
    db.transaction(() => {
      const { count } = read.get(id) as { count: number };
      write.run(count + 1, id);
    }, immediate);
  } catch (error) {
    errors += 1;
    process.stderr.write(`${String(error)}\n`);
  }
}
db.$client.close();
process.stdout.write(`${JSON.stringify({ errors })}\n`);
