import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const bin = (name: string) => path.join(root, "node_modules/.bin", name);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export type Running = {
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
};

function run(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
): Running {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return {
    child,
    output: () => output,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
      }
      return exited;
    },
  };
}

export type RunningApp = Running & { baseUrl: string };

/** Starts the production web server (`next start`) and waits until it answers. */
export async function startApp(
  env: Record<string, string | undefined>,
): Promise<RunningApp> {
  const port = await freePort();
  const app = run(
    bin("next"),
    ["start", "-H", "127.0.0.1", "-p", String(port)],
    {
      ...env,
      PORT: String(port),
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (app.child.exitCode !== null) {
      throw new Error(`next start exited early:\n${app.output()}`);
    }
    const response = await fetch(`${baseUrl}/api/stats`).catch(() => null);
    return response?.ok === true;
  }, 60_000);
  return { ...app, baseUrl };
}

/** Starts the worker as `npm run worker` does: one node process. */
export function startWorker(
  env: Record<string, string | undefined>,
  args: string[] = [],
): Running {
  return run(
    process.execPath,
    ["--import", "tsx", "worker/main.ts", ...args],
    env,
  );
}

export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Whether a process with this pid still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
