import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  launchBrowser,
  recordDialogs,
  screenshotsDir,
} from "../helpers/browser";
import {
  startApp,
  startWorker,
  waitFor,
  type Running,
  type RunningApp,
} from "../helpers/processes";
import { samples } from "../helpers/samples";
import { makeWorkspace, type Workspace } from "../helpers/workspace";

const scriptSample = samples.find((s) => s.text.includes("<script>"))!;
const imgHostile =
  '<img src=x onerror="alert(2)"> a poem about <b>bold</b> moths';

type Submitted = { id: number; type: string; text: string };

// The production app and the worker with the built-in backends (a PNG per
// image, a WAV per song), driven through Debian's Chromium.
describe("the Browse tab in a browser", () => {
  let workspace: Workspace;
  let app: RunningApp;
  let worker: Running;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const sent: Submitted[] = [];

  const api = async (pathName: string, init?: RequestInit) => {
    const response = await fetch(`${app.baseUrl}${pathName}`, init);
    return response.json();
  };
  const submit = async (type: string, text: string) => {
    const body = await api("/api/prompts", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type, text }),
    });
    sent.push({ id: body.prompt.id, type, text });
    return body.prompt.id as number;
  };
  const byType = (type: string) => sent.filter((s) => s.type === type);

  beforeAll(async () => {
    workspace = makeWorkspace();
    app = await startApp(workspace.env);
    // Enough haiku for a second gallery page (12 a page).
    for (let i = 0; i < 12; i++) await submit("haiku", `frost haiku ${i}`);
    await submit("lyrics_prompt", "A folk song about leaving home");
    await submit("image_prompt", "A lighthouse at dusk, watercolor");
    await submit("image_prompt", "A cat asleep on a bookshop counter");
    await submit(scriptSample.type, scriptSample.text);
    await submit("poem", imgHostile);
    await submit("poem", "Rain on a tin roof in late October");
    worker = startWorker(workspace.env);
    await waitFor(async () => {
      const { items } = await api("/api/gallery?limit=200");
      return items.length === sent.length;
    }, 60_000);

    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    recordDialogs(page, dialogs, "dismiss");
    await page.goto(app.baseUrl);
    await page.getByRole("tab", { name: "Browse" }).click();
    await page.getByTestId("gallery").locator("article").first().waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.stop();
    workspace?.cleanup();
  });

  const shownIds = () =>
    page
      .getByTestId("gallery")
      .locator("article")
      .evaluateAll((els) =>
        els.map((el) => Number(el.getAttribute("data-testid")!.slice(13))),
      );

  it("opens an image whole, moves with the arrow keys, closes on Escape", async () => {
    // Newest first, as the gallery shows them.
    const images = byType("image_prompt").reverse();
    const [first, second] = images;
    const card = page.getByTestId(`gallery-item-${first.id}`);

    await card.getByRole("button", { name: /open image/i }).click();
    const viewer = page.getByTestId("image-viewer");
    const image = page.getByTestId("image-viewer-image");
    await viewer.waitFor();

    await expect
      .poll(() => image.evaluate((el: HTMLImageElement) => el.naturalWidth))
      .toBeGreaterThan(0);
    expect(await image.getAttribute("alt")).toBe(first.text);
    expect(await viewer.textContent()).toContain(`1 of ${images.length}`);

    await page.keyboard.press("ArrowRight");
    await expect.poll(() => image.getAttribute("alt")).toBe(second.text);
    expect(await viewer.textContent()).toContain(`2 of ${images.length}`);
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => image.getAttribute("alt")).toBe(first.text);

    const href = await viewer.getByRole("link", { name: "Download" });
    expect(await href.getAttribute("download")).not.toBeNull();
    const file = await fetch(
      `${app.baseUrl}${await href.getAttribute("href")}`,
    );
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(file.headers.get("content-disposition")).toMatch(/filename="/);

    await page.keyboard.press("Escape");
    await viewer.waitFor({ state: "detached" });
  });

  it("plays a song's audio", async () => {
    const [song] = byType("lyrics_prompt");
    const audio = page.getByTestId(`gallery-item-${song.id}`).locator("audio");
    await audio.scrollIntoViewIfNeeded();

    await audio.evaluate((el: HTMLAudioElement) => el.play());

    await expect
      .poll(() =>
        audio.evaluate((el: HTMLAudioElement) => ({
          playing: !el.paused || el.ended,
          moved: el.currentTime > 0,
          error: el.error?.code ?? null,
        })),
      )
      .toEqual({ playing: true, moved: true, error: null });
    expect(
      await audio.evaluate((el: HTMLAudioElement) => el.duration),
    ).toBeGreaterThan(0);
  });

  it("shows a hostile prompt as plain text", async () => {
    for (const text of [scriptSample.text, imgHostile]) {
      const { id } = sent.find((s) => s.text === text)!;
      const card = page.getByTestId(`gallery-item-${id}`);

      expect(await card.textContent()).toContain(text);
      expect(await card.locator("script, b, img[onerror]").count()).toBe(0);
    }
    expect(await page.locator("img[onerror], img[src='x']").count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("loads the next page when the end scrolls into view", async () => {
    expect(await shownIds()).toHaveLength(12);

    await page.getByTestId("gallery-load-more").scrollIntoViewIfNeeded();

    await expect.poll(async () => (await shownIds()).length).toBe(sent.length);
    await expect(page.getByTestId("gallery-load-more").count()).resolves.toBe(
      0,
    );
  });

  it("finds a prompt by a word of its writing, and filters by type", async () => {
    const poem = sent.find((s) => s.text.startsWith("Rain on a tin roof"))!;
    const { writing } = await api(`/api/prompts/${poem.id}`);
    const word = (writing.content as string)
      .split(/[^\p{L}]+/u)
      .find(
        (w) =>
          w.length > 4 && !poem.text.toLowerCase().includes(w.toLowerCase()),
      )!;
    const { items } = await api(`/api/gallery?q=${encodeURIComponent(word)}`);
    const expected = items.map((i: { prompt: { id: number } }) => i.prompt.id);
    expect(expected).toContain(poem.id);

    await page.getByTestId("gallery-search").fill(word);

    await expect.poll(shownIds).toEqual(expected);
    expect(
      await page.getByTestId(`gallery-item-${poem.id}`).textContent(),
    ).toContain(word);

    await page.getByTestId("gallery-search").fill("");
    await page.getByTestId("gallery-filter-type").getByText("Image").click();
    await expect.poll(shownIds).toEqual(
      byType("image_prompt")
        .map((s) => s.id)
        .reverse(),
    );
    await page.getByTestId("gallery-filter-type").getByText("All").click();
  });

  it("copies a writing to the clipboard and says so", async () => {
    const poem = sent.find((s) => s.text.startsWith("Rain on a tin roof"))!;
    const { writing } = await api(`/api/prompts/${poem.id}`);
    await page
      .context()
      .grantPermissions(["clipboard-read", "clipboard-write"]);
    const card = page.getByTestId(`gallery-item-${poem.id}`);

    await card.getByRole("button", { name: "Copy writing" }).click();

    await expect
      .poll(() => page.getByTestId("toast").textContent())
      .toContain("Copied the writing");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      writing.content,
    );
  });

  it("searches the queue from its dialog", async () => {
    await page.getByRole("tab", { name: "Queue" }).click();
    await page.getByTestId("open-queue").click();
    const dialog = page.getByTestId("queue-dialog");
    await dialog.waitFor();

    await dialog.getByTestId("queue-search").fill("moths onerr");

    await expect
      .poll(() => dialog.getByTestId("queue-list").locator("li").count())
      .toBe(1);
    expect(await dialog.getByTestId("queue-list").textContent()).toContain(
      imgHostile,
    );
    // The whole queue's counts would mislead beside a search: none shown.
    expect(
      await dialog
        .getByTestId("queue-filter-status")
        .locator("option")
        .first()
        .textContent(),
    ).toBe("All");
    await page.keyboard.press("Escape");
    await page.getByRole("tab", { name: "Browse" }).click();
  });

  it("fits a desktop and a phone screen", async () => {
    const toTabs = (el: Element) => el.scrollIntoView({ block: "start" });
    await page.getByRole("tablist").evaluate(toTabs);
    await page.screenshot({
      path: path.join(screenshotsDir, "browse-desktop.png"),
    });

    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
    });
    await phone.goto(app.baseUrl);
    await phone.getByRole("tab", { name: "Browse" }).click();
    await phone.getByTestId("gallery").locator("article").first().waitFor();
    await phone.getByRole("tablist").evaluate(toTabs);
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    await phone.screenshot({
      path: path.join(screenshotsDir, "browse-phone.png"),
    });
    await phone.close();

    expect(overflow).toBeLessThanOrEqual(0);
  });
});
