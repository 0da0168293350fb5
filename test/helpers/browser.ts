import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const screenshotsDir = path.resolve(
  import.meta.dirname,
  "../../test-output/screenshots",
);

/** Debian's Chromium, headless, with the flags this sandbox needs. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}; install Debian's chromium ` +
        "(apt-get install chromium) or set CHROMIUM_PATH",
    );
  }
  fs.mkdirSync(screenshotsDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** Submits a prompt through the form as a person would; returns its id. */
export async function submitFromForm(
  page: Page,
  type: string,
  text: string,
): Promise<number> {
  await page.getByLabel("Type").selectOption(type);
  await page.getByLabel("Prompt", { exact: true }).fill(text);
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) =>
        r.url().endsWith("/api/prompts") && r.request().method() === "POST",
    ),
    page.getByRole("button", { name: "Submit" }).click(),
  ]);
  if (response.status() !== 201) {
    throw new Error(`submit answered ${response.status()}`);
  }
  return (await response.json()).prompt.id;
}

/**
 * Answers every dialog the page opens (accept or dismiss), keeping each
 * message in `messages`, in order, for the test to check.
 */
export function recordDialogs(
  page: Page,
  messages: string[],
  answer: "accept" | "dismiss",
) {
  page.on("dialog", (dialog) => {
    messages.push(dialog.message());
    void dialog[answer]();
  });
}
