import fs from "node:fs";

/** A process's resident memory in MB, from /proc/<pid>/status (VmRSS). */
export function readRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** The pids of a process's children, grandchildren and so on. */
export function descendantsOf(pid: number): number[] {
  const children = fs
    .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

function commandOf(pid: number): string {
  return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
}

/**
 * The process that serves requests. `next start` may run the server in its
 * own process (named next-server) or in a child it spawns; this finds
 * whichever holds the server: a descendant named next-server, else the
 * largest process of the tree.
 */
export function serverPidOf(startPid: number): number {
  const tree = [startPid, ...descendantsOf(startPid)];
  const named = tree.find((pid) => commandOf(pid).startsWith("next-server"));
  if (named !== undefined) return named;
  return tree.reduce((a, b) => (readRssMb(b) > readRssMb(a) ? b : a));
}

/** Seconds of CPU (user + system) a process has used so far. */
export function readCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Seconds a process's threads have waited, ready to run, for a CPU (from
 * /proc/<pid>/schedstat, main thread only). On a shared machine this shows
 * how much of a latency came from other work on the machine.
 */
export function readRunQueueWaitSeconds(pid: number): number {
  const schedstat = fs.readFileSync(`/proc/${pid}/schedstat`, "utf8");
  return Number(schedstat.split(" ")[1]) / 1e9;
}
