import fs from "node:fs";
import path from "node:path";
import type { AxeResults } from "axe-core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  launchBrowser,
  screenshotsDir,
  submitFromForm,
} from "../helpers/browser";
import {
  startApp,
  startWorker,
  type Running,
  type RunningApp,
  waitFor,
} from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const axeSource = fs.readFileSync(
  path.resolve(import.meta.dirname, "../../node_modules/axe-core/axe.min.js"),
  "utf8",
);

/** Runs axe on the whole page and lists what is serious or worse. */
async function seriousViolations(page: Page): Promise<string[]> {
  const hasAxe = await page.evaluate(() => "axe" in window);
  if (!hasAxe) await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run(),
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) =>
      v.nodes.map(
        (node) => `${v.id} (${v.impact}) at ${node.target.join(" ")}`,
      ),
    );
}

// Window-sized on purpose: a full-page capture draws the sticky stats bar at
// the first screen's bottom edge, halfway down the picture.
const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(screenshotsDir, name) });

// The production app with some finished work on screen (rows, badges, an
// image in the gallery), checked by axe-core in Debian's Chromium.
describe("accessibility in a browser", () => {
  let workspace: Workspace;
  let app: RunningApp;
  let worker: Running;
  let browser: Browser;
  let page: Page;
  const ids: Record<string, number> = {};

  const submit = (type: string, text: string) =>
    submitFromForm(page, type, text);

  const statusOf = (testId: string) =>
    page.getByTestId(testId).first().textContent();

  beforeAll(async () => {
    workspace = makeWorkspace();
    app = await startApp(workspace.env);
    worker = startWorker(workspace.env);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(app.baseUrl);

    ids.poem = await submit("poem", "Rain on a tin roof in late October");
    ids.image = await submit(
      "image_prompt",
      "A lighthouse at dusk, watercolor",
    );
    ids.long = await submit("poem", longPrompt());
    ids.rtl = await submit("poem", "\u202eevil override\u202c then plain text");
    const isFinished = async () =>
      (await statusOf(`artifact-status-${ids.image}`)) === "ready" &&
      (await statusOf(`status-${ids.poem}`)) === "completed" &&
      (await statusOf(`status-${ids.long}`)) === "completed" &&
      (await statusOf(`status-${ids.rtl}`)) === "completed";
    await waitFor(isFinished, 20_000, 200);
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.stop();
    workspace?.cleanup();
  });

  it("has no serious violations on the Queue tab", async () => {
    await page.getByTestId("recent-prompts").scrollIntoViewIfNeeded();
    await screenshot(page, "a11y-queue.png");

    expect(await seriousViolations(page)).toEqual([]);
  });

  it("keeps a 4000-character prompt's row to two lines", async () => {
    const row = page.getByTestId(`prompt-row-${ids.long}`);

    const box = await row.boundingBox();

    expect(box?.height).toBeLessThan(120);
  });

  it("isolates prompt text so an override character stays inside it", async () => {
    const text = page
      .getByTestId(`prompt-row-${ids.rtl}`)
      .locator('[dir="auto"]');

    const style = await text.evaluate((el) => getComputedStyle(el).unicodeBidi);

    expect(style).toBe("isolate");
  });

  it("counts the prompt as the server does, in code points", async () => {
    await page.getByLabel("Prompt", { exact: true }).fill("😀".repeat(2001));

    expect(await page.getByTestId("char-count").textContent()).toBe(
      "2001 / 4000",
    );
    await page.getByLabel("Prompt", { exact: true }).fill("");
  });

  it("has no serious violations in the open queue dialog", async () => {
    await page.getByTestId("open-queue").click();
    const dialog = page.getByTestId("queue-dialog");
    await dialog.getByTestId(`prompt-row-${ids.long}`).waitFor();

    const longRow = await dialog
      .getByTestId(`prompt-row-${ids.long}`)
      .boundingBox();
    await screenshot(page, "a11y-queue-dialog.png");
    const listViolations = await seriousViolations(page);
    await dialog.getByTestId(`prompt-row-${ids.image}`).click();
    await dialog.getByTestId("prompt-detail").waitFor();
    await dialog.locator("img").first().waitFor();
    await screenshot(page, "a11y-queue-detail.png");
    const detailViolations = await seriousViolations(page);
    await page.keyboard.press("Escape");

    expect(longRow?.height).toBeLessThan(120);
    expect(listViolations).toEqual([]);
    expect(detailViolations).toEqual([]);
  });

  it("has no serious violations on the Browse tab", async () => {
    await page.getByRole("tab", { name: "Browse" }).click();
    const image = page.getByTestId(`gallery-item-${ids.image}`).locator("img");
    await image.waitFor();

    await image.evaluate((el) => el.scrollIntoView({ block: "center" }));
    await screenshot(page, "a11y-browse.png");

    expect(await seriousViolations(page)).toEqual([]);
  });

  it("has no serious violations on /admin, its workers table included", async () => {
    await page.goto(`${app.baseUrl}/admin`);
    await page.getByTestId("worker-panel").waitFor();
    const row = page.getByTestId("worker-row").first();
    await row.waitFor();

    expect(await row.getAttribute("data-state")).toBe("alive");
    expect(await row.getByText("alive", { exact: true }).count()).toBe(1);

    await screenshot(page, "a11y-admin.png");

    expect(await seriousViolations(page)).toEqual([]);
  });

  it("fits the stats bar on one line of a phone and never over the content", async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    await phone.goto(app.baseUrl);
    await phone.getByTestId(`prompt-row-${ids.long}`).waitFor();
    const bar = phone.getByTestId("stats-bar");
    await bar.getByTestId("worker-status").waitFor();

    await screenshot(phone, "mobile-home.png");
    const barBox = await bar.boundingBox();
    await phone.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const lastRow = await phone
      .getByTestId("recent-prompts")
      .locator("li")
      .last()
      .boundingBox();
    const barAtEnd = await bar.boundingBox();
    await screenshot(phone, "mobile-home-end.png");
    await bar.getByRole("button", { expanded: false }).click();
    await screenshot(phone, "mobile-stats-expanded.png");
    const violations = await seriousViolations(phone);
    await phone.close();

    expect(barBox!.height).toBeLessThan(48);
    expect(lastRow!.y + lastRow!.height).toBeLessThanOrEqual(barAtEnd!.y);
    expect(violations).toEqual([]);
  });
});

/** Exactly 4000 characters of words, as long as the API accepts. */
function longPrompt(): string {
  return "rain on a tin roof in late October ".repeat(120).slice(0, 3999) + ".";
}
