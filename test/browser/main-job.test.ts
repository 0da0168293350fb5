import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  launchBrowser,
  recordDialogs,
  screenshotsDir,
  submitFromForm,
} from "../helpers/browser";
import {
  startApp,
  startWorker,
  type Running,
  type RunningApp,
} from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

/** Records every text each status badge shows, as it changes in the DOM. */
function recordBadges() {
  const seen: Record<string, string[]> = {};
  const read = () => {
    const badges = document.querySelectorAll(
      '[data-testid^="status-"], [data-testid^="artifact-status-"]',
    );
    for (const badge of badges) {
      const id = badge.getAttribute("data-testid")!;
      const text = badge.textContent ?? "";
      const list = (seen[id] ??= []);
      if (list.at(-1) !== text) list.push(text);
    }
  };
  new MutationObserver(read).observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
  });
  (window as unknown as { __badges: typeof seen }).__badges = seen;
}

// The production web app and the worker as two processes, driven through
// Debian's Chromium like a person would.
describe("the main job in a browser", () => {
  let workspace: Workspace;
  let app: RunningApp;
  let worker: Running;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    workspace = makeWorkspace();
    // Built-in stages take a visible moment, as real backends would.
    const env = { ...workspace.env, BUILTIN_DELAY_MS: "400" };
    app = await startApp(env);
    worker = startWorker(env);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    recordDialogs(page, dialogs, "dismiss");
    await page.addInitScript(recordBadges);
    await page.goto(app.baseUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.stop();
    workspace?.cleanup();
  });

  const submit = (type: string, text: string) =>
    submitFromForm(page, type, text);

  it("shows a submitted image prompt going through its states without a reload", async () => {
    await page.evaluate(
      () => ((window as unknown as { __marker: number }).__marker = 1),
    );

    const id = await submit(
      "image_prompt",
      "A lighthouse at dusk, watercolor, gulls",
    );
    await expect
      .poll(
        () => page.getByTestId(`artifact-status-${id}`).first().textContent(),
        {
          timeout: 20_000,
        },
      )
      .toBe("ready");

    const seen = await page.evaluate(
      () =>
        (window as unknown as { __badges: Record<string, string[]> }).__badges,
    );
    // "unprocessed" may never paint: an idle worker claims within milliseconds.
    expect(seen[`status-${id}`]).toEqual(
      expect.arrayContaining(["processing", "completed"]),
    );
    expect(seen[`status-${id}`].indexOf("processing")).toBeLessThan(
      seen[`status-${id}`].lastIndexOf("completed"),
    );
    expect(seen[`artifact-status-${id}`]).toEqual(
      expect.arrayContaining(["processing", "ready"]),
    );
    expect(
      await page.evaluate(
        () => (window as unknown as { __marker?: number }).__marker,
      ),
    ).toBe(1);
    await page.screenshot({
      path: path.join(screenshotsDir, "home.png"),
      fullPage: true,
    });
  });

  it("lists every step in the prompt's timeline", async () => {
    const id = await submit("poem", "Rain on a tin roof in late October");
    await expect
      .poll(() => page.getByTestId(`status-${id}`).first().textContent(), {
        timeout: 20_000,
      })
      .toBe("completed");

    await page.getByTestId(`prompt-row-${id}`).first().click();
    const detail = page.getByTestId("prompt-detail");

    await expect
      .poll(() => detail.textContent())
      .toMatch(/submitted[\s\S]*writing started[\s\S]*writing finished/);
    // Each step's distance from the one before, and the stage's own time.
    const timeline = detail.getByTestId("prompt-timeline");
    expect(await timeline.getByText(/^\+\d/).count()).toBe(2);
    expect(
      await detail.getByTestId("timeline-stage-run").textContent(),
    ).toMatch(/^\(writing took \d+(\.\d)? (ms|s)\)$/);
    expect(await detail.getByTestId("timeline-totals").textContent()).toMatch(
      /^Writing \d+(\.\d)? (ms|s)$/,
    );
    await page.screenshot({
      path: path.join(screenshotsDir, "prompt-detail.png"),
    });
    // The first Escape closes the detail, the second the queue.
    await page.keyboard.press("Escape");
    await page.getByTestId("prompt-drawer").waitFor({ state: "detached" });
    await page.keyboard.press("Escape");
  });

  it("shows a hostile prompt and its writing as plain text", async () => {
    const hostile = `<script>alert("x")</script><img src=x onerror="alert('y')"> a red balloon`;
    const id = await submit("poem", hostile);
    await expect
      .poll(() => page.getByTestId(`status-${id}`).first().textContent(), {
        timeout: 20_000,
      })
      .toBe("completed");

    await page.getByRole("tab", { name: /browse/i }).click();
    const item = page.getByTestId(`gallery-item-${id}`);
    await item.waitFor();

    expect(await item.textContent()).toContain(hostile);
    expect(await item.locator("script").count()).toBe(0);
    expect(await item.locator("img[onerror]").count()).toBe(0);
    expect(dialogs).toEqual([]);
    const statText = (name: string) => page.getByTestId(name).textContent();
    await expect
      .poll(() => statText("stat-status-processing"))
      .toMatch(/\b0\b/);
    await expect.poll(() => statText("stat-status-completed")).toMatch(/\b3\b/);
    await page.screenshot({
      path: path.join(screenshotsDir, "browse.png"),
      fullPage: true,
    });
  });
});
