import { claimNextPrompt } from "@/db/claims";
import { openDatabase } from "@/db/client";

// A separate process that commits transitions through the real claim
// function at a steady rate and reports, per event id, when it committed
// (wall-clock ms with sub-ms precision, comparable across processes).

const [dbPath, rateText, countText] = process.argv.slice(2);
const rate = Number(rateText);
const count = Number(countText);
const db = openDatabase(dbPath);
const now = () => performance.timeOrigin + performance.now();

async function main() {
  const commits: [number, number][] = [];
  const startedAt = now();
  for (let i = 0; i < count; i++) {
    const due = startedAt + (i * 1000) / rate;
    const waitMs = due - now();
    if (waitMs > 1) await new Promise((r) => setTimeout(r, waitMs - 1));
    while (now() < due) {
      // spin the last millisecond: timers are coarse
    }
    const claim = claimNextPrompt(db, {
      workerId: "bench-committer",
      leaseMs: 3_600_000,
    });
    if (!claim) throw new Error("no unprocessed prompt left to claim");
    commits.push([claim.prompt.lastEventId, now()]);
  }
  db.$client.close();
  process.send!({ commits });
}

void main();
