// Debian's headless Chromium for panel tests: present or skipped (unless REQUIRE_BROWSER_TESTS=1,
// as in CI), one profile folder per context, screenshots in test-artifacts/screenshots/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
export const browserRequired = process.env.REQUIRE_BROWSER_TESTS === "1";
export const SHOTS = path.resolve("test-artifacts/screenshots");
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"];
export const browserSkipTitle = (title: string) => (hasChromium ? title : `${title} — skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

/** Launches isolated browser contexts and closes them (and their profile folders) at the end. */
export class Browsers {
  private contexts: BrowserContext[] = [];
  private dirs: string[] = [];

  async open(viewport = { width: 1366, height: 768 }): Promise<Page> {
    const { chromium } = await import("playwright-core");
    const dir = mkdtempSync(path.join(os.tmpdir(), "op-chromium-"));
    this.dirs.push(dir);
    const ctx = await chromium.launchPersistentContext(dir, { headless: true, executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport, locale: "ru-RU" });
    this.contexts.push(ctx);
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(15_000);
    return page;
  }

  async closeAll(): Promise<void> {
    for (const c of this.contexts) await c.close().catch(() => {});
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    this.contexts = [];
    this.dirs = [];
  }
}

export function shot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(SHOTS, { recursive: true });
  return page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}
