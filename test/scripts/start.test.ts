import { execFileSync, spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { listWorkers } from "@/db/workers";
import { freePort, isAlive, waitFor } from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const root = path.resolve(import.meta.dirname, "../..");

// `npm start` as a person runs it: one command, the app and a worker.
describe("npm start", () => {
  let workspace: Workspace;
  let baseUrl: string;
  let db: Db;
  let start: ReturnType<typeof spawn>;
  let output = "";
  let exited: Promise<number | null>;

  beforeAll(async () => {
    workspace = makeWorkspace();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    start = spawn(
      path.join(root, "node_modules/.bin/tsx"),
      ["scripts/start.ts"],
      {
        cwd: root,
        env: { ...process.env, ...workspace.env, PORT: String(port) },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    start.stdout?.on("data", (c) => (output += c));
    start.stderr?.on("data", (c) => (output += c));
    exited = new Promise((resolve) => start.once("exit", resolve));
    await waitFor(
      async () => (await fetch(baseUrl).catch(() => null))?.ok === true,
      60_000,
    );
    db = openDatabase(workspace.dbPath);
  });

  afterAll(async () => {
    if (start.exitCode === null) start.kill("SIGKILL");
    db?.$client.close();
    workspace?.cleanup();
  });

  const statusOf = async (id: number) =>
    (await (await fetch(`${baseUrl}/api/prompts/${id}`)).json()).prompt;

  it("serves the GUI and runs a worker that finishes a prompt", async () => {
    const page = await (await fetch(baseUrl)).text();
    expect(page).toContain("Poets");

    const created = await fetch(`${baseUrl}/api/prompts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        type: "image_prompt",
        text: "a lighthouse at dusk",
      }),
    });
    const { prompt } = await created.json();

    await waitFor(
      async () => (await statusOf(prompt.id)).artifactStatus === "ready",
      20_000,
    );
  });

  it("starts the worker again when it crashes", async () => {
    const [first] = listWorkers(db, 1);
    process.kill(first.pid, "SIGKILL");

    await waitFor(() => {
      const [latest] = listWorkers(db, 1);
      return latest.id !== first.id && latest.stoppedAt === null;
    }, 20_000);

    expect(output).toMatch(
      /starting it again in 2 s \(restart 1 of 10 allowed in 600 s\)/,
    );
  });

  it("stops the app and the worker on Ctrl+C", async () => {
    start.kill("SIGINT");

    const code = await Promise.race([
      exited,
      new Promise((r) => setTimeout(() => r("still running"), 20_000)),
    ]);

    expect(code).toBe(0);
    await expect(fetch(baseUrl)).rejects.toThrow();
    await waitFor(() => listWorkers(db, 1)[0].stoppedAt !== null, 5_000);
  });
});

/** Every process under `pid`, found with ps. */
function descendantsOf(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], {
      encoding: "utf8",
    })
      .split("\n")
      .filter((line) => line.trim())
      .map(Number);
  } catch {
    // ps exits 1 when there are none
  }
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

function launch(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (c) => (output += c));
  child.stderr?.on("data", (c) => (output += c));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", resolve),
  );
  return { child, exited, output: () => output };
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise((r) => setTimeout(() => r("still running"), ms)),
  ]);

// systemd and launchd stop a service with SIGTERM to the process they started.
describe("npm start, stopped by a service manager", () => {
  let workspace: Workspace;
  let run: ReturnType<typeof launch>;
  afterAll(() => {
    if (run?.child.exitCode === null) run.child.kill("SIGKILL");
    workspace?.cleanup();
  });

  it("stops both processes on SIGTERM, exits 0, and leaves nothing behind", async () => {
    workspace = makeWorkspace();
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    run = launch("npm", ["start"], {
      ...workspace.env,
      LOG_LEVEL: "info",
      PORT: String(port),
    });
    const db = openDatabase(workspace.dbPath);
    try {
      await waitFor(
        async () =>
          (await fetch(baseUrl).catch(() => null))?.ok === true &&
          listWorkers(db, 1).length === 1,
        60_000,
      );
      const processes = descendantsOf(run.child.pid!);
      expect(processes.length).toBeGreaterThanOrEqual(4);

      run.child.kill("SIGTERM");

      expect(await within(run.exited, 30_000)).toBe(0);
      await waitFor(() => !processes.some(isAlive), 5000);
      await expect(fetch(baseUrl)).rejects.toThrow();
      expect(listWorkers(db, 1)[0].stoppedAt).toBeInstanceOf(Date);
      await new Promise((r) => setTimeout(r, 2500));
      expect(run.output()).not.toMatch(/starting it again/);
      expect(run.output()).toMatch(/"exitCode":0,"msg":"Poets stopped"/);
      expect(listWorkers(db)).toHaveLength(1);
    } finally {
      db.$client.close();
    }
  });
});

describe("npm start with its port taken", () => {
  it("says so and exits 1 without starting anything", async () => {
    const workspace = makeWorkspace();
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, "127.0.0.1", () =>
        resolve((blocker.address() as net.AddressInfo).port),
      ),
    );
    try {
      const run = launch(
        path.join(root, "node_modules/.bin/tsx"),
        ["scripts/start.ts"],
        {
          ...workspace.env,
          PORT: String(port),
        },
      );

      expect(await within(run.exited, 20_000)).toBe(1);
      expect(run.output()).toContain(
        `Port ${port} on 127.0.0.1 is already in use by another program.`,
      );
      expect(run.output()).toContain(`PORT=${port + 1} npm start`);
      expect(run.output()).not.toMatch(/\[app\]|\[worker\]/);
    } finally {
      blocker.close();
      workspace.cleanup();
    }
  });
});
