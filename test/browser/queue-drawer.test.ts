import path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrompt } from "@/db/prompts";
import type { PromptType } from "@/lib/prompt-types";
import { launchBrowser, screenshotsDir } from "../helpers/browser";
import { useAppSuite } from "../helpers/app-suite";

const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

// The production app on a seeded database (no worker: every prompt waits),
// driven through Debian's Chromium at desktop and phone widths.
describe("the queue dialog's detail drawer in a browser", () => {
  const ids: Record<string, number> = {};
  const suite = useAppSuite((db) => {
    const add = (type: PromptType, text: string) =>
      createPrompt(db, { type, text, priority: 0 }).id;
    for (let i = 0; i < 8; i++) add("haiku", `frost haiku number ${i}`);
    ids.poem = add("poem", "Rain on a tin roof in late October");
    ids.image = add("image_prompt", "A lighthouse at dusk, watercolor");
  });
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** A page at `viewport` with the queue dialog open on its list. */
  const openQueue = async (
    viewport: { width: number; height: number },
    colorScheme: "light" | "dark" = "light",
  ) => {
    const context = await browser.newContext({ viewport, colorScheme });
    const page = await context.newPage();
    await page.goto(suite.app.baseUrl);
    await page.getByTestId("open-queue").click();
    const dialog = page.getByTestId("queue-dialog");
    await dialog.getByTestId(`prompt-row-${ids.poem}`).waitFor();
    return { page, dialog, close: () => context.close() };
  };
  const row = (dialog: Locator, id: number) =>
    dialog.getByTestId(`prompt-row-${id}`);
  const isFocused = (locator: Locator) =>
    locator.evaluate((el) => el === document.activeElement);
  const horizontalOverflow = (page: Page) =>
    page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
  const shoot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(screenshotsDir, name) });

  it("shows the detail beside the list at desktop width, the row marked and the heading focused", async () => {
    const { page, dialog, close } = await openQueue(desktop);
    const narrowWidth = (await dialog.boundingBox())!.width;

    await row(dialog, ids.poem).click();
    const drawer = dialog.getByRole("region", { name: `#${ids.poem} · Poem` });
    await drawer.waitFor();
    await expect
      .poll(() => drawer.getByTestId("detail-prompt-text").textContent())
      .toBe("Rain on a tin roof in late October");

    const list = dialog.getByTestId("queue-list");
    const listBox = (await list.boundingBox())!;
    const drawerBox = (await drawer.boundingBox())!;
    expect(await list.isVisible()).toBe(true);
    expect(drawerBox.x).toBeGreaterThanOrEqual(listBox.x + listBox.width);
    expect((await dialog.boundingBox())!.width).toBeGreaterThan(
      narrowWidth + 200,
    );
    expect(await row(dialog, ids.poem).getAttribute("aria-current")).toBe(
      "true",
    );
    expect(await dialog.locator('[aria-current="true"]').count()).toBe(1);
    expect(await isFocused(drawer.getByRole("heading").first())).toBe(true);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await close();
  });

  it("switches the drawer to another row clicked in the list", async () => {
    const { dialog, close } = await openQueue(desktop);
    await row(dialog, ids.poem).click();
    await dialog.getByTestId("prompt-drawer").waitFor();

    await row(dialog, ids.image).click();

    const drawer = dialog.getByRole("region", {
      name: `#${ids.image} · Image`,
    });
    await drawer.waitFor();
    await expect
      .poll(() => drawer.getByTestId("detail-prompt-text").textContent())
      .toBe("A lighthouse at dusk, watercolor");
    expect(await dialog.getByTestId("prompt-drawer").count()).toBe(1);
    expect(await row(dialog, ids.image).getAttribute("aria-current")).toBe(
      "true",
    );
    expect(await row(dialog, ids.poem).getAttribute("aria-current")).toBe(null);
    await close();
  });

  it("closes the drawer on the first Escape, back on its row, and the dialog on the second", async () => {
    const { page, dialog, close } = await openQueue(desktop);
    await row(dialog, ids.image).click();
    const drawer = dialog.getByTestId("prompt-drawer");
    await drawer.getByTestId("prompt-detail").waitFor();

    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "detached" });
    const isDialogOpen = await dialog.isVisible();
    const isRowFocused = await isFocused(row(dialog, ids.image));
    const marked = await dialog.locator('[aria-current="true"]').count();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });

    expect(isDialogOpen).toBe(true);
    expect(isRowFocused).toBe(true);
    expect(marked).toBe(0);
    expect(await isFocused(page.getByTestId("open-queue"))).toBe(true);
    await close();
  });

  it("closes the drawer with its close button, focus back on the row, and keeps Tab inside the dialog", async () => {
    const { page, dialog, close } = await openQueue(desktop);
    await row(dialog, ids.poem).click();
    const drawer = dialog.getByTestId("prompt-drawer");
    await drawer.getByTestId("prompt-detail").waitFor();

    const inside: boolean[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      inside.push(
        await dialog.evaluate((el) => el.contains(document.activeElement)),
      );
    }
    await dialog.getByRole("button", { name: "Close details" }).click();
    await drawer.waitFor({ state: "detached" });

    expect(inside.every(Boolean)).toBe(true);
    expect(await isFocused(row(dialog, ids.poem))).toBe(true);
    expect(await dialog.isVisible()).toBe(true);
    await close();
  });

  it("covers the list with the detail on a phone, and Back shows the list again", async () => {
    const { page, dialog, close } = await openQueue(phone);
    await row(dialog, ids.poem).click();
    const drawer = dialog.getByTestId("prompt-drawer");
    await drawer.getByTestId("prompt-detail").waitFor();

    const isListVisible = await dialog.getByTestId("queue-list").isVisible();
    const drawerBox = (await drawer.boundingBox())!;
    const dialogBox = (await dialog.boundingBox())!;
    const isCloseVisible = await dialog
      .getByRole("button", { name: "Close details" })
      .isVisible();
    const overflow = await horizontalOverflow(page);
    await dialog.getByRole("button", { name: "← Back to queue" }).click();
    await drawer.waitFor({ state: "detached" });

    expect(isListVisible).toBe(false);
    expect(drawerBox.width).toBe(dialogBox.width);
    expect(isCloseVisible).toBe(false);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await dialog.getByTestId("queue-list").isVisible()).toBe(true);
    expect(await isFocused(row(dialog, ids.poem))).toBe(true);
    await close();
  });

  it("opens from a row on the page with the detail in the drawer and its row marked", async () => {
    const context = await browser.newContext({ viewport: desktop });
    const page = await context.newPage();
    await page.goto(suite.app.baseUrl);

    await page.getByTestId(`prompt-row-${ids.image}`).click();
    const dialog = page.getByTestId("queue-dialog");
    const drawer = dialog.getByRole("region", {
      name: `#${ids.image} · Image`,
    });
    await drawer.waitFor();
    await expect
      .poll(() => row(dialog, ids.image).getAttribute("aria-current"))
      .toBe("true");

    expect(await isFocused(drawer.getByRole("heading").first())).toBe(true);
    await context.close();
  });

  it("looks finished in both themes at desktop and phone widths", async () => {
    for (const theme of ["light", "dark"] as const) {
      for (const [size, viewport] of Object.entries({ desktop, phone })) {
        const { page, dialog, close } = await openQueue(viewport, theme);
        await row(dialog, ids.image).click();
        await dialog.getByTestId("prompt-detail").waitFor();
        await shoot(page, `queue-drawer-${size}-${theme}.png`);

        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        await close();
      }
    }
  });
});
