import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  launchBrowser,
  screenshotsDir,
  submitFromForm,
} from "../helpers/browser";
import { comfyEnv } from "../helpers/comfyui";
import { startFakeComfyUI, type FakeComfyUI } from "../helpers/fake-comfyui";
import {
  startApp,
  startWorker,
  type Running,
  type RunningApp,
} from "../helpers/processes";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

/** Records every value the render progress bar shows, as the DOM changes. */
function recordProgress() {
  const seen: number[] = [];
  const read = () => {
    const bar = document.querySelector('[role="progressbar"]');
    const value = Number(bar?.getAttribute("aria-valuenow") ?? NaN);
    if (!Number.isNaN(value) && seen.at(-1) !== value) seen.push(value);
  };
  new MutationObserver(read).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["aria-valuenow"],
  });
  (window as unknown as { __progress: number[] }).__progress = seen;
}

// The app and the worker as processes, the worker rendering on a fake
// ComfyUI over HTTP and WebSocket, watched through Chromium.
describe("rendering on ComfyUI, in a browser", () => {
  let workspace: Workspace;
  let fake: FakeComfyUI;
  let app: RunningApp;
  let worker: Running;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    workspace = makeWorkspace("poets-browser-comfyui-");
    fake = await startFakeComfyUI();
    fake.behaviour.runMs = 4000;
    fake.behaviour.steps = 8;
    const env = { ...workspace.env, ...comfyEnv([fake.url]) };
    app = await startApp(env);
    worker = startWorker(env);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(recordProgress);
    await page.goto(app.baseUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.stop();
    await fake?.close();
    workspace?.cleanup();
  });

  it("shows the render's progress rising live, then the image", async () => {
    const id = await submitFromForm(
      page,
      "image_prompt",
      "A lighthouse at dusk, watercolor, gulls",
    );
    await page.getByTestId(`prompt-row-${id}`).first().click();
    const detail = page.getByTestId("prompt-detail");
    await expect
      .poll(() => detail.getByTestId("render-progress").count(), {
        timeout: 20_000,
      })
      .toBe(1);
    await expect
      .poll(() => detail.getByTestId("render-progress").textContent())
      .toContain(fake.url);
    await page.screenshot({
      path: path.join(screenshotsDir, "comfyui-rendering.png"),
    });

    await expect
      .poll(() => detail.locator("img").count(), { timeout: 20_000 })
      .toBe(1);
    const seen = await page.evaluate(
      () => (window as unknown as { __progress: number[] }).__progress,
    );
    const between = seen.filter((value) => value > 0 && value < 100);
    // Several distinct values, rising: the stream carried each change.
    expect(new Set(between).size).toBeGreaterThanOrEqual(2);
    expect([...between].sort((a, b) => a - b)).toEqual(between);
    expect(fake.count("POST /prompt")).toBe(1);
    expect(await detail.textContent()).toMatch(
      /image\/png · [0-9]+ B · 8×8 · comfyui/,
    );
    await page.keyboard.press("Escape");
  });

  it("lists the ComfyUI server, healthy, on the admin page", async () => {
    await page.goto(`${app.baseUrl}/admin`);
    const server = page.getByTestId("render-server");

    await expect
      .poll(() => server.getAttribute("data-health"), { timeout: 10_000 })
      .toBe("healthy");
    expect(await server.textContent()).toContain(fake.url);
    expect(await page.getByTestId("renderer-backend").textContent()).toContain(
      "ComfyUI, 1 server",
    );
    await page.screenshot({
      path: path.join(screenshotsDir, "admin-backends.png"),
      fullPage: true,
    });
  });
});
