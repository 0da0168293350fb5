import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, waitFor } from "../../helpers/processes";
import { makeWorkspace, type Workspace } from "../../helpers/workspace";

const root = path.resolve(import.meta.dirname, "../../..");
const adminToken = "test-admin-token-0123456789";

type Outcome = { code: number | null; output: string };

/**
 * Runs a command to its end, with ADMIN_TOKEN and HOST unset unless given;
 * one still running after `timeoutMs` is stopped (a start not refused).
 */
function run(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 20_000,
): Promise<Outcome> {
  const child = spawn(command, args, {
    cwd: root,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      ADMIN_TOKEN: undefined,
      HOST: undefined,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

const nextStart = (host: string, env: Record<string, string | undefined>) =>
  freePort().then((port) =>
    run(
      path.join(root, "node_modules/.bin/next"),
      ["start", "-H", host, "-p", String(port)],
      { ...env, PORT: String(port) },
    ),
  );

// The app refuses to serve other machines without ADMIN_TOKEN, however it
// is started.
describe("starting with ADMIN_TOKEN unset", () => {
  let workspace: Workspace;
  afterEach(() => workspace?.cleanup());

  it("npm start refuses HOST=0.0.0.0, naming the fix", async () => {
    workspace = makeWorkspace();

    const { code, output } = await run(
      path.join(root, "node_modules/.bin/tsx"),
      ["scripts/start.ts"],
      { ...workspace.env, HOST: "0.0.0.0", PORT: String(await freePort()) },
    );

    expect(code).toBe(1);
    expect(output.trim()).toBe(
      "HOST=0.0.0.0 (every network interface) lets other machines reach " +
        "Poets, and ADMIN_TOKEN is not set: set ADMIN_TOKEN (at least 16 " +
        "characters) to guard the admin page and API, or use HOST=127.0.0.1.",
    );
  });

  it("next start -H 0.0.0.0 exits 1 with the reason", async () => {
    workspace = makeWorkspace();

    const { code, output } = await nextStart("0.0.0.0", workspace.env);

    expect(code).toBe(1);
    expect(output).toContain(
      "Listening on 0.0.0.0 (every network interface) lets other machines " +
        "reach Poets, and ADMIN_TOKEN is not set",
    );
    expect(output).toContain("or use -H 127.0.0.1.");
  });

  it("next start -H 0.0.0.0 serves with ADMIN_TOKEN set", async () => {
    workspace = makeWorkspace();
    const port = await freePort();
    const child = spawn(
      path.join(root, "node_modules/.bin/next"),
      ["start", "-H", "0.0.0.0", "-p", String(port)],
      {
        cwd: root,
        env: { ...process.env, ...workspace.env, ADMIN_TOKEN: adminToken },
        stdio: "ignore",
      },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));

    try {
      await waitFor(async () => {
        const answer = await fetch(`http://127.0.0.1:${port}/api/auth`).catch(
          () => null,
        );
        return answer?.ok === true;
      }, 60_000);
      const state = await (
        await fetch(`http://127.0.0.1:${port}/api/auth`)
      ).json();
      expect(state).toEqual({ required: true, signedIn: false });
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  });

  it("refuses an ADMIN_TOKEN under 16 characters without showing it", async () => {
    workspace = makeWorkspace();

    const { code, output } = await nextStart("127.0.0.1", {
      ...workspace.env,
      ADMIN_TOKEN: "short-secret",
    });

    expect(code).toBe(1);
    expect(output).toContain("ADMIN_TOKEN (set, not shown)");
    expect(output).toContain("must be at least 16 characters");
    expect(output).not.toContain("short-secret");
  });
});
