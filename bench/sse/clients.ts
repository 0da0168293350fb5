import { EventSource } from "eventsource";
import { percentile } from "../lib/figures";

// A separate process holding `count` open streams to /api/events (so that
// parsing them does not take CPU from the server's process), recording when
// each client received each event.

type FromParent =
  { type: "report"; commits: [number, number][] } | { type: "close" };

const [baseUrl, countText] = process.argv.slice(2);
const count = Number(countText);
const now = () => performance.timeOrigin + performance.now();
/** Per event id, the time each client received it. */
let received = new Map<number, number[]>();
const sources: EventSource[] = [];
let opened = 0;

for (let i = 0; i < count; i++) {
  const source = new EventSource(`${baseUrl}/api/events`);
  source.addEventListener("open", () => {
    if (++opened === count) process.send!({ type: "ready" });
  });
  source.addEventListener("error", (event) => {
    process.send!({ type: "error", message: String(event.message) });
  });
  source.addEventListener("prompt", (message) => {
    const at = now();
    const id = Number(message.lastEventId);
    let times = received.get(id);
    if (!times) received.set(id, (times = []));
    times.push(at);
  });
  sources.push(source);
}

process.on("message", (message: FromParent) => {
  if (message.type === "close") {
    for (const source of sources) source.close();
    process.exit(0);
  }
  const summary = summarise(message.commits);
  received = new Map();
  process.send!({ type: "report", ...summary });
});

/** Latency of every delivery, and per event the median over clients. */
function summarise(commits: [number, number][]) {
  const all: number[] = [];
  const perEvent: number[] = [];
  let missing = 0;
  for (const [id, committedAt] of commits) {
    const times = received.get(id) ?? [];
    missing += count - times.length;
    const latencies = times.map((t) => t - committedAt);
    all.push(...latencies);
    if (latencies.length) perEvent.push(percentile(latencies, 50));
  }
  return {
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    deliveries: all.length,
    missing,
    perEvent,
  };
}
