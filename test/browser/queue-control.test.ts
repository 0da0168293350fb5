import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { getPrompt, getPromptDetail } from "@/db/prompts";
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

// The production web app and the worker as two processes, driven through
// Debian's Chromium: pause a stage, change a waiting prompt, resume, and
// paste a batch.
describe("queue control in a browser", () => {
  let workspace: Workspace;
  let app: RunningApp;
  let worker: Running;
  let browser: Browser;
  let page: Page;
  let db: Db;
  const dialogs: string[] = [];

  beforeAll(async () => {
    workspace = makeWorkspace();
    const env = { ...workspace.env, BUILTIN_DELAY_MS: "200" };
    app = await startApp(env);
    worker = startWorker(env);
    db = openDatabase(workspace.dbPath);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    recordDialogs(page, dialogs, "accept");
    await page.goto(app.baseUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.stop();
    db?.$client.close();
    workspace?.cleanup();
  });

  const statusOf = (id: number) =>
    page.getByTestId(`status-${id}`).first().textContent();
  // The first Escape closes the detail's drawer, the second the queue.
  const closeDetailAndQueue = async () => {
    await page.keyboard.press("Escape");
    await page.getByTestId("prompt-drawer").waitFor({ state: "detached" });
    await page.keyboard.press("Escape");
    await page.getByTestId("queue-dialog").waitFor({ state: "detached" });
  };
  const shoot = (target: Page, name: string) =>
    target.screenshot({
      path: path.join(screenshotsDir, name),
      fullPage: true,
    });

  it("keeps a prompt queued while writing is paused, lets it be edited, and finishes it once resumed", async () => {
    const writeStage = page.getByTestId("stage-write");
    await page.getByRole("button", { name: "Pause writing (stage 1)" }).click();
    await expect
      .poll(() => writeStage.getAttribute("data-paused"))
      .toBe("true");
    await expect
      .poll(() => page.getByTestId("stage-write-state").textContent())
      .toMatch(/^Paused since/);

    const id = await submitFromForm(page, "poem", "Rain on a tin roof");
    // Long enough for an idle worker to have claimed it many times over.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await statusOf(id)).toBe("unprocessed");
    expect(getPrompt(db, id)).toMatchObject({
      status: "unprocessed",
      attempts: 0,
    });

    await page.getByTestId(`prompt-row-${id}`).first().click();
    const detail = page.getByTestId("prompt-detail");
    // Escape leaves an edit (asking first, as the draft would be lost) and
    // keeps the dialog open.
    await detail.getByRole("button", { name: "Edit" }).click();
    await detail.getByLabel("Text").fill("a draft");
    await page.keyboard.press("Escape");
    await detail.getByTestId("prompt-edit-form").waitFor({ state: "detached" });
    expect(dialogs.at(-1)).toBe("Discard your changes to this prompt?");
    expect(await detail.count()).toBe(1);
    expect(getPrompt(db, id)!.text).toBe("Rain on a tin roof");

    await detail.getByRole("button", { name: "Edit" }).click();
    await detail.getByLabel("Text").fill("Snow on a tin roof");
    await detail.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => detail.getByTestId("detail-prompt-text").textContent())
      .toBe("Snow on a tin roof");
    await detail.getByRole("button", { name: "Raise priority" }).click();
    await expect.poll(() => getPrompt(db, id)!.priority).toBe(1);
    await shoot(page, "queue-control-detail-waiting.png");
    await closeDetailAndQueue();

    await page
      .getByRole("button", { name: "Resume writing (stage 1)" })
      .click();
    await expect
      .poll(() => statusOf(id), { timeout: 20_000 })
      .toBe("completed");
    expect(await writeStage.getAttribute("data-paused")).toBe("false");
    const reasons = getPromptDetail(db, id)!.events.map((e) => e.reason);
    expect(reasons).toEqual([
      "submitted",
      "edited",
      "priority changed",
      "writing started",
      "writing finished",
    ]);
    expect(getPrompt(db, id)!.text).toBe("Snow on a tin roof");
  });

  it("cancels a queued prompt from its row in the queue dialog, asking first; Escape answers no", async () => {
    await page.getByRole("button", { name: "Pause writing (stage 1)" }).click();
    await expect
      .poll(() => page.getByTestId("stage-write").getAttribute("data-paused"))
      .toBe("true");
    const id = await submitFromForm(page, "poem", "A heron at first light");
    await page.getByTestId("open-queue").click();
    const dialog = page.getByTestId("queue-dialog");
    const cancel = dialog.getByTestId(`cancel-${id}`);

    // Enter on the question keeps the prompt: the focus is on "Keep it".
    await cancel.click();
    await dialog.getByTestId(`confirm-cancel-${id}`).waitFor();
    expect(
      await dialog
        .getByTestId(`keep-${id}`)
        .evaluate((el) => el === document.activeElement),
    ).toBe(true);
    await page.keyboard.press("Enter");
    await dialog.getByTestId(`confirm-cancel-${id}`).waitFor({
      state: "detached",
    });
    expect(getPrompt(db, id)!.status).toBe("unprocessed");

    await cancel.click();
    await dialog.getByTestId(`confirm-cancel-${id}`).waitFor();
    await page.keyboard.press("Escape");
    // The question is gone, the dialog stays, and focus is back on Cancel.
    await dialog.getByTestId(`confirm-cancel-${id}`).waitFor({
      state: "detached",
    });
    expect(await dialog.count()).toBe(1);
    expect(await cancel.evaluate((el) => el === document.activeElement)).toBe(
      true,
    );
    expect(getPrompt(db, id)!.status).toBe("unprocessed");

    await cancel.click();
    await dialog.getByTestId(`confirm-cancel-${id}`).click();
    await expect
      .poll(() => dialog.getByTestId(`status-${id}`).textContent())
      .toBe("cancelled");
    expect(getPrompt(db, id)!.status).toBe("cancelled");
    await page.keyboard.press("Escape");
    await page
      .getByRole("button", { name: "Resume writing (stage 1)" })
      .click();
  });

  it("renders a finished image again after a confirmation, the earlier file kept in its history", async () => {
    const id = await submitFromForm(
      page,
      "image_prompt",
      "A lighthouse at dusk, watercolor",
    );
    await expect
      .poll(
        () => page.getByTestId(`artifact-status-${id}`).first().textContent(),
        {
          timeout: 20_000,
        },
      )
      .toBe("ready");
    const firstFile = getPromptDetail(db, id)!.artifacts[0].id;
    await page.getByTestId(`prompt-row-${id}`).first().click();
    const detail = page.getByTestId("prompt-detail");

    await detail.getByRole("button", { name: "Re-render" }).click();

    expect(dialogs.at(-1)).toMatch(/^Render prompt #\d+ again from its spec/);
    await expect
      .poll(() => detail.getByTestId("prompt-timeline").textContent(), {
        timeout: 20_000,
      })
      .toMatch(/re-rendering requested[\s\S]*rendering finished/);
    const history = detail.getByTestId("prompt-history");
    await history.getByTestId(`artifact-${firstFile}`).waitFor();
    const current = getPromptDetail(db, id)!.artifacts;
    expect(current.map((a) => a.id)).not.toContain(firstFile);
    await detail.getByTestId(`artifact-${current[0].id}`).waitFor();
    await shoot(page, "queue-control-detail-finished.png");
    await closeDetailAndQueue();
  });

  it("pastes a batch of three lines, previews them and queues all three", async () => {
    await page.getByText("Paste many prompts").click();
    const form = page.getByTestId("batch-form");
    await form.getByLabel("Each line is a").selectOption("haiku");
    const box = form.getByLabel(/Prompts \(up to 1000\)/);

    await box.fill(
      "Moon on water\nLast leaf\nCrow on a branch\n\nbad\u0007line",
    );
    await expect
      .poll(() => form.getByTestId("batch-line-errors").textContent())
      .toContain("Line 5: text has a control character");
    expect(await form.getByTestId("batch-count").textContent()).toBe(
      "Fix 1 line; nothing is added while one is wrong.",
    );
    expect(await form.getByTestId("batch-preview").textContent()).not.toMatch(
      /ready/,
    );
    expect(
      await form.getByRole("button", { name: "Add prompts" }).isDisabled(),
    ).toBe(true);
    await box.fill("Moon on water\nLast leaf\nCrow on a branch\n");
    await expect
      .poll(() => form.getByTestId("batch-count").textContent())
      .toBe("3 prompts ready");
    await shoot(page, "queue-control-batch-form.png");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/api/prompts/batch")),
      form.getByRole("button", { name: "Add 3 prompts" }).click(),
    ]);

    expect(response.status()).toBe(201);
    const { prompts } = (await response.json()) as {
      prompts: { id: number; text: string }[];
    };
    expect(prompts.map((p) => p.text)).toEqual([
      "Moon on water",
      "Last leaf",
      "Crow on a branch",
    ]);
    await expect
      .poll(() => form.getByTestId("batch-success").textContent())
      .toMatch(/^Queued 3 prompts/);
    for (const prompt of prompts) {
      await expect
        .poll(() => statusOf(prompt.id), { timeout: 20_000 })
        .toBe("completed");
    }
  });

  it("says a paste is too large for the server before sending it", async () => {
    const form = page.getByTestId("batch-form");
    const box = form.getByLabel(/Prompts \(up to 1000\)/);
    const line = "a long line of rain ".repeat(199) + "end";
    const requests: string[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/api/prompts/batch")) requests.push(r.url());
    });
    // 20 lines of 3983 characters: within every per-line rule, but a body
    // of about 78 KiB, past the server's 64 KiB.
    const paste = Array.from({ length: 20 }, () => line).join("\n");

    await box.fill(paste);
    await expect
      .poll(() => form.getByTestId("batch-too-large").textContent())
      .toMatch(/^Too large: 78 KiB of 64 KiB/);
    await shoot(page, "queue-control-batch-too-large.png");
    const button = form.getByRole("button", { name: "Add prompts" });
    const isDisabled = await button.isDisabled();
    await form.evaluate((el: HTMLFormElement) => el.requestSubmit());
    await box.fill(paste.split("\n").slice(0, 15).join("\n"));
    await expect
      .poll(() => form.getByTestId("batch-count").textContent())
      .toBe("15 prompts ready");
    await box.fill("");

    expect(isDisabled).toBe(true);
    expect(requests).toEqual([]);
  });

  it("fits the panel, the batch form and a detail's actions on a phone", async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
    });
    try {
      await phone.goto(app.baseUrl);
      await phone.getByTestId("queue-control").waitFor();
      await phone.getByText("Paste many prompts").click();
      await phone.getByLabel("CSV").check();
      await phone
        .getByTestId("batch-form")
        .getByLabel(/Prompts/)
        .fill('type,text\npoem,"Rain, then sun"\nstory,A lighthouse keeper');
      await expect
        .poll(() => phone.getByTestId("batch-preview").textContent())
        .toMatch(/2 prompts ready[\s\S]*Rain, then sun/);
      await shoot(phone, "queue-control-batch-form-phone.png");

      const first = await phone.locator('[data-testid^="prompt-row-"]').first();
      await first.click();
      await phone
        .getByTestId("prompt-detail")
        .getByRole("button", { name: "Re-write" })
        .waitFor();
      await shoot(phone, "queue-control-detail-phone.png");
      const overflow = await phone.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
    } finally {
      await phone.close();
    }
  });
});
