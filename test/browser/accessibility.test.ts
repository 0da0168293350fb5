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
    // The first Escape closes the detail, the second the queue.
    await page.keyboard.press("Escape");
    await dialog.getByTestId("prompt-drawer").waitFor({ state: "detached" });
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

  it("keeps focus inside the open queue dialog and closes it with Escape", async () => {
    await page.goto(app.baseUrl);
    await page.getByTestId("open-queue").click();
    const dialog = page.getByTestId("queue-dialog");
    await dialog.getByTestId(`prompt-row-${ids.poem}`).waitFor();

    const insideAfterTabs: boolean[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      insideAfterTabs.push(
        await dialog.evaluate((el) => el.contains(document.activeElement)),
      );
    }
    const statusOptions = await dialog
      .getByTestId("queue-filter-status")
      .locator("option")
      .allTextContents();
    await page.keyboard.press("Escape");

    expect(insideAfterTabs.every(Boolean)).toBe(true);
    expect(statusOptions).toContain("completed (4)");
    expect(await dialog.count()).toBe(0);
  });

  it("shows pace, workers and health in the stats bar", async () => {
    const bar = page.getByTestId("stats-bar");

    await waitFor(
      async () =>
        (await bar.getByTestId("stat-completed-last-hour").textContent()) ===
        "4",
      10_000,
    );

    expect(await bar.getByTestId("stat-workers-alive").textContent()).toBe("1");
    expect(await bar.getByTestId("stat-median-write").textContent()).not.toBe(
      "–",
    );
    expect(await bar.getByTestId("stat-health").getAttribute("data-ok")).toBe(
      "true",
    );
  });

  // Each screen the theme and width checks visit, in order: "detail" opens
  // a row of the dialog "queue" left open.
  const screens: [string, (p: Page) => Promise<void>][] = [
    [
      "queue",
      async (p) => {
        await p.goto(app.baseUrl);
        await p.getByTestId("open-queue").click();
        await p
          .getByTestId("queue-dialog")
          .getByTestId(`prompt-row-${ids.poem}`)
          .waitFor();
      },
    ],
    [
      "detail",
      async (p) => {
        await p
          .getByTestId("queue-dialog")
          .getByTestId(`prompt-row-${ids.image}`)
          .click();
        await p.getByTestId("prompt-detail").waitFor();
      },
    ],
    [
      "browse",
      async (p) => {
        await p.goto(app.baseUrl);
        await p.getByRole("tab", { name: "Browse" }).click();
        await p.getByTestId(`gallery-item-${ids.image}`).waitFor();
      },
    ],
    [
      "stats",
      async (p) => {
        await p.goto(app.baseUrl);
        await p.getByTestId("stats-bar").getByTestId("worker-status").waitFor();
        await p.getByTestId("stats-bar").scrollIntoViewIfNeeded();
      },
    ],
    [
      "admin",
      async (p) => {
        await p.goto(`${app.baseUrl}/admin`);
        await p.getByTestId("worker-row").first().waitFor();
        await p.getByTestId("workers-table").scrollIntoViewIfNeeded();
      },
    ],
  ];
  it("has no serious violations in either theme, at desktop and phone widths", async () => {
    const found: string[] = [];
    const sizes = {
      desktop: { width: 1280, height: 800 },
      phone: { width: 390, height: 844 },
    };
    for (const theme of ["light", "dark"] as const) {
      for (const [size, viewport] of Object.entries(sizes)) {
        const context = await browser.newContext({
          viewport,
          colorScheme: theme,
        });
        const p = await context.newPage();
        for (const [name, show] of screens) {
          await show(p);
          await screenshot(p, `${name}-${size}-${theme}.png`);
          const violations = await seriousViolations(p);
          found.push(
            ...violations.map((v) => `${name} ${size} ${theme}: ${v}`),
          );
        }
        await context.close();
      }
    }

    expect(found).toEqual([]);
  }, 180_000);

  it("scrolls no screen sideways at 360 px, the narrowest phone we fit", async () => {
    const overflows: string[] = [];
    const context = await browser.newContext({
      viewport: { width: 360, height: 780 },
    });
    const p = await context.newPage();

    for (const [name, show] of screens) {
      await show(p);
      const extra = await p.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      if (extra > 0) overflows.push(`${name}: ${extra}px too wide`);
      await screenshot(p, `${name}-narrow-light.png`);
    }
    await context.close();

    expect(overflows).toEqual([]);
  });

  it("keeps the theme chosen with the toggle across a reload", async () => {
    const context = await browser.newContext({ colorScheme: "light" });
    const p = await context.newPage();
    await p.goto(app.baseUrl);

    await p.getByTestId("theme-toggle").click();
    await p.reload();
    await p.getByTestId("theme-toggle").waitFor();
    const theme = await p.evaluate(
      () => document.documentElement.dataset.theme,
    );
    const background = await p.evaluate(
      () => getComputedStyle(document.body).backgroundColor,
    );
    const checked = await p
      .getByTestId("theme-toggle")
      .getAttribute("aria-checked");
    await context.close();

    expect(theme).toBe("dark");
    expect(checked).toBe("true");
    expect(background).not.toMatch(/rgb\(250, 250, 249\)|oklch\(0\.98/);
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
