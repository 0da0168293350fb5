import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { listWorkers } from "@/db/workers";
import { freePort, waitFor } from "../helpers/processes";
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

    expect(output).toMatch(/restarted/);
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
