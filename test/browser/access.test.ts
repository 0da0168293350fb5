import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { claimNextPrompt } from "@/db/claims";
import { createPrompt, getPrompt } from "@/db/prompts";
import { launchBrowser, screenshotsDir } from "../helpers/browser";
import { startApp, type RunningApp } from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const adminToken = "browser-admin-token-0123456789";

// The production app with ADMIN_TOKEN set and a prompt whose worker went
// away (its lease expired), in Debian's Chromium. No worker runs, so the
// prompt stays where the admin puts it.
describe("access in a browser", () => {
  let workspace: Workspace;
  let db: Db;
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let stuckId = 0;
  const consoleProblems: string[] = [];

  beforeAll(async () => {
    workspace = makeWorkspace();
    workspace.env.ADMIN_TOKEN = adminToken;
    db = openDatabase(workspace.dbPath);
    stuckId = createPrompt(db, {
      type: "poem",
      text: "a lighthouse keeper's last night",
      priority: 0,
    }).id;
    claimNextPrompt(db, {
      workerId: "gone-worker",
      leaseMs: 1000,
      now: new Date(Date.now() - 60_000),
    });
    app = await startApp(workspace.env);
    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
    });
    page = await context.newPage();
    page.on("console", (message) => {
      if (["error", "warning"].includes(message.type())) {
        consoleProblems.push(message.text());
      }
    });
    page.on("pageerror", (error) => consoleProblems.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    db?.$client.close();
    workspace?.cleanup();
  });

  it("offers a sign-in link where the queue page would offer changes", async () => {
    await page.goto(app.baseUrl);
    const stage = page.getByTestId("stage-write");
    await stage.getByTestId("sign-in-to-change").waitFor();
    expect(await stage.getByRole("button").count()).toBe(0);
    expect(await stage.getByTestId("sign-in-to-change").textContent()).toBe(
      "Sign in to pause",
    );

    await page.getByTestId("open-queue").click();
    const row = page
      .getByTestId("queue-dialog")
      .getByRole("listitem")
      .filter({ has: page.getByTestId(`prompt-row-${stuckId}`) });
    await row.waitFor();
    expect(await row.getByTestId(`cancel-${stuckId}`).count()).toBe(0);
    const link = row.getByTestId("sign-in-to-change");
    expect(await link.textContent()).toBe("Sign in to cancel or retry prompts");
    expect(await link.getAttribute("href")).toBe("/login?next=%2F");
    await page.keyboard.press("Escape");
  });

  it("shows the sign-in form instead of the admin page", async () => {
    await page.goto(`${app.baseUrl}/admin`);

    expect(new URL(page.url()).pathname).toBe("/login");
    await expect
      .poll(() => page.getByLabel("Admin token").isVisible())
      .toBe(true);
    await page.screenshot({
      path: path.join(screenshotsDir, "login-desktop.png"),
    });
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
    });
    await phone.goto(`${app.baseUrl}/login?next=%2Fadmin`);
    await phone.getByLabel("Admin token").waitFor();
    await phone.screenshot({
      path: path.join(screenshotsDir, "login-phone.png"),
    });
    await phone.close();
  });

  it("refuses an unauthorised requeue from the page's own origin", async () => {
    const answer = await page.evaluate(async (id) => {
      const response = await fetch(`/api/prompts/${id}/requeue`, {
        method: "POST",
      });
      return { status: response.status, body: await response.json() };
    }, stuckId);

    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe("unauthorized");
    expect(getPrompt(db, stuckId)).toMatchObject({
      status: "processing",
      leaseOwner: "gone-worker",
    });
  });

  it("announces a wrong token and keeps the person on the form", async () => {
    const token = page.getByLabel("Admin token");
    await token.fill("not-the-admin-token");
    await token.press("Enter");

    const alert = page.getByRole("alert").filter({ hasText: "ADMIN_TOKEN" });
    await alert.waitFor();
    expect(await alert.textContent()).toBe("That token is not ADMIN_TOKEN.");
    expect(await token.getAttribute("aria-invalid")).toBe("true");
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  it("signs in with the keyboard and requeues the stuck prompt", async () => {
    await page.getByLabel("Admin token").fill(adminToken);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${app.baseUrl}/admin`);
    const row = page.getByTestId(`stuck-row-${stuckId}`);
    await row.waitFor();

    await page.getByTestId(`requeue-${stuckId}`).click();

    await row.waitFor({ state: "detached" });
    expect(getPrompt(db, stuckId)).toMatchObject({
      status: "unprocessed",
      leaseOwner: null,
    });
    await page.getByText(`Prompt #${stuckId} requeued.`).waitFor();
  });

  it("signs out, after which a requeue sends the person to sign in", async () => {
    claimNextPrompt(db, {
      workerId: "gone-worker",
      leaseMs: 1000,
      now: new Date(Date.now() - 60_000),
    });
    await page.reload();
    await page.getByTestId(`stuck-row-${stuckId}`).waitFor();
    // Another tab signs out; this page still shows the requeue button.
    const other = await page.context().newPage();
    await other.goto(`${app.baseUrl}/admin`);
    await other.getByRole("button", { name: "Sign out" }).click();
    await other.waitForURL(`${app.baseUrl}/`);
    await other.close();

    await page.getByTestId(`requeue-${stuckId}`).click();

    await page.waitForURL(/\/login\?next=%2Fadmin$/);
    expect(getPrompt(db, stuckId)?.status).toBe("processing");
  });

  it("hydrates every page under its Content-Security-Policy without a violation", () => {
    // The refused requeues are logged too: proof that the console is heard.
    expect(consoleProblems.some((text) => text.includes("401"))).toBe(true);
    expect(consoleProblems.filter((text) => !text.includes("401"))).toEqual([]);
  });
});
