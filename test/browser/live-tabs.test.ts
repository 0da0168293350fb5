import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { createPrompt, getPrompt } from "@/db/prompts";
import { launchBrowser } from "../helpers/browser";
import {
  startApp,
  startWorker,
  waitFor,
  type Running,
  type RunningApp,
} from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

// Two tabs on one app, with a worker: what one tab changes, and what
// happens to the worker, reaches the other through the event stream (or,
// for a killed worker, the next stats poll), not after a slow poll.
describe("two open tabs", () => {
  let workspace: Workspace;
  let app: RunningApp;
  let worker: Running;
  let browser: Browser;
  let pageA: Page;
  let pageB: Page;
  let db: Db;

  beforeAll(async () => {
    workspace = makeWorkspace();
    app = await startApp(workspace.env);
    worker = startWorker(workspace.env);
    db = openDatabase(workspace.dbPath);
    browser = await launchBrowser();
    const open = async () => {
      const page = await browser.newPage({
        viewport: { width: 1280, height: 800 },
      });
      await page.goto(app.baseUrl);
      await waitFor(
        async () =>
          (await page.getByTestId("live-status").getAttribute("data-state")) ===
          "live",
        10_000,
      );
      return page;
    };
    [pageA, pageB] = [await open(), await open()];
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop("SIGKILL");
    await app?.stop();
    db?.$client.close();
    workspace?.cleanup();
  });

  it("shows a pause made in one tab in the other within 2 s, with no stats poll to help", async () => {
    const stateInB = pageB.getByTestId("stage-write-state");
    await expect.poll(() => stateInB.textContent()).toMatch(/^Running/);
    // Tab B's stats requests fail meanwhile, so only the stream's
    // message can change its panel.
    await pageB.route("**/api/stats", (route) => route.abort());

    try {
      const clickedAt = Date.now();
      await pageA
        .getByRole("button", { name: "Pause writing (stage 1)" })
        .click();
      await waitFor(
        async () => /^Paused since/.test((await stateInB.textContent()) ?? ""),
        2000,
        25,
      );

      expect(Date.now() - clickedAt).toBeLessThan(2000);
      expect(
        await pageB.getByTestId("stage-write").getAttribute("data-paused"),
      ).toBe("true");
    } finally {
      await pageB.unroute("**/api/stats");
    }
  });

  it("shows text edited in one tab in the other tab's queue within 2 s", async () => {
    const prompt = createPrompt(db, {
      type: "poem",
      text: "Rain on a tin roof",
      priority: 0,
    });
    const rowInB = pageB.getByTestId(`prompt-row-${prompt.id}`).first();
    await expect.poll(() => rowInB.textContent()).toContain("Rain on a tin");
    await pageA.getByTestId(`prompt-row-${prompt.id}`).first().click();
    const detail = pageA.getByTestId("prompt-detail");
    await detail.getByRole("button", { name: "Edit" }).click();
    await detail.getByLabel("Text").fill("Snow on a slate roof");

    const [saved] = await Promise.all([
      pageA.waitForResponse((r) => r.request().method() === "PATCH"),
      detail.getByRole("button", { name: "Save" }).click(),
    ]);
    const savedAt = Date.now();
    await waitFor(
      async () =>
        ((await rowInB.textContent()) ?? "").includes("Snow on a slate roof"),
      2000,
      25,
    );

    expect(saved.status()).toBe(200);
    expect(Date.now() - savedAt).toBeLessThan(2000);
    expect(getPrompt(db, prompt.id)).toMatchObject({
      text: "Snow on a slate roof",
      status: "unprocessed",
    });
    await pageA.keyboard.press("Escape");
  });

  it("reports a worker killed with SIGKILL as dead within 2 s, and the footer says so within 6 s", async () => {
    const footer = pageB.getByTestId("worker-status");
    await expect
      .poll(() => footer.getAttribute("data-state"), { timeout: 15_000 })
      .toBe("alive");
    const json = async (path: string) =>
      (await fetch(`${app.baseUrl}${path}`)).json();
    expect((await json("/api/stats")).workersAlive).toBe(1);

    await worker.stop("SIGKILL");
    const killedAt = Date.now();
    await waitFor(
      async () => {
        const [health, stats] = await Promise.all([
          json("/api/health"),
          json("/api/stats"),
        ]);
        return (
          health.worker?.alive === false &&
          health.workers[0]?.state === "dead" &&
          stats.workersAlive === 0 &&
          stats.worker?.alive === false
        );
      },
      2000,
      50,
    );
    const reportedAfterMs = Date.now() - killedAt;
    await waitFor(
      async () => (await footer.getAttribute("data-state")) === "gone",
      6000,
      50,
    );
    const shownAfterMs = Date.now() - killedAt;

    expect(reportedAfterMs).toBeLessThan(2000);
    expect(shownAfterMs).toBeLessThan(6000);
    const health = await json("/api/health");
    expect(health.ok).toBe(false);
    expect(health.reasons.join()).toContain("process gone");
    expect(await footer.textContent()).toMatch(
      /Worker process gone · last heartbeat \d+s ago/,
    );
  });
});
