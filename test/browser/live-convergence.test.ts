import { spawn } from "node:child_process";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { cancelPrompt, createPrompt } from "@/db/prompts";
import { launchBrowser } from "../helpers/browser";
import { freePort, waitFor } from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const root = path.resolve(import.meta.dirname, "../..");

/** `next start` on a fixed port, so the page can reconnect to a new one. */
function startAppOn(port: number, env: Record<string, string>) {
  const child = spawn(
    path.join(root, "node_modules/.bin/next"),
    ["start", "-H", "127.0.0.1", "-p", String(port)],
    {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
      stdio: "ignore",
    },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    ready: () =>
      waitFor(async () => {
        const r = await fetch(`http://127.0.0.1:${port}/api/stats`).catch(
          () => null,
        );
        return r?.ok === true;
      }, 60_000),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

// The stream drops (the app process stops), the database changes while no
// one is listening, the app comes back: the open page must show the
// database's state without a reload.
describe("live updates after the stream drops", () => {
  let workspace: Workspace;
  let db: Db;
  let port: number;
  let app: ReturnType<typeof startAppOn>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    workspace = makeWorkspace();
    db = openDatabase(workspace.dbPath);
    port = await freePort();
    app = startAppOn(port, workspace.env);
    await app.ready();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    db?.$client.close();
    workspace?.cleanup();
  });

  const text = (testId: string) => page.getByTestId(testId).textContent();

  it("converges to the database after the app restarts", async () => {
    const kept = createPrompt(db, { type: "poem", text: "kept", priority: 0 });
    await page.goto(`http://127.0.0.1:${port}`);
    await page.getByTestId(`status-${kept.id}`).waitFor();
    await waitFor(
      async () =>
        (await page.getByTestId("live-status").getAttribute("data-state")) ===
        "live",
      10_000,
    );
    const reloads: string[] = [];
    page.on("framenavigated", (frame) => reloads.push(frame.url()));

    await app.stop();
    await waitFor(
      async () =>
        (await page.getByTestId("live-status").getAttribute("data-state")) !==
        "live",
      10_000,
    );
    cancelPrompt(db, kept.id);
    const added = createPrompt(db, {
      type: "haiku",
      text: "made while the stream was down",
      priority: 0,
    });
    app = startAppOn(port, workspace.env);
    await app.ready();

    await waitFor(
      async () => (await text(`status-${kept.id}`)) === "cancelled",
      30_000,
      100,
    );
    await page.getByTestId(`prompt-row-${added.id}`).waitFor();
    await waitFor(
      async () => (await text("stat-status-cancelled")) === "1",
      10_000,
      100,
    );
    expect(await text("stat-status-unprocessed")).toBe("1");
    expect(reloads).toEqual([]);
  }, 120_000);
});
