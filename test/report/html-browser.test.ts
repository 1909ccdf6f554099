import { it, expect } from "vitest";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { describeNeeding, findTool, needTool } from "../helpers/need.js";

/**
 * The HTML report in a real browser (Debian's Chromium driven by playwright-core): what a person sees,
 * the filter box working, nothing fetched from the network, and hostile log content staying inert.
 * .ci/run installs chromium (test/helpers/need.ts says what happens without it).
 */
const CHROMIUM = findTool("chromium") ?? findTool("chromium-browser");
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function withPage<T>(file: string, fn: (page: import("playwright-core").Page, requests: string[], dialogs: string[]) => Promise<T>): Promise<T> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM!, args: ARGS });
  try {
    const page = await browser.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("dialog", (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await page.goto(`file://${resolve(file)}`);
    return await fn(page, requests, dialogs);
  } finally {
    await browser.close();
  }
}

describeNeeding([CHROMIUM === undefined ? needTool("chromium") : undefined], "HTML report in Chromium", () => {
  it("shows the violations, the matrix cells' status, and filters rows", async () => {
    const dir = tmpFiles({});
    const html = join(dir, "report.html");
    const r = await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "-o", html, "fixtures/kcps/kern.log"]);
    expect(r.code).toBe(1);
    await withPage(html, async (page, requests, dialogs) => {
      const rows = page.locator("#violation-table tbody tr");
      expect(await rows.count()).toBe(5);
      expect(await rows.first().innerText()).toMatch(/blocked-required/);
      const cell = page.locator('td[data-from="file-share-client"][data-to="kcps-fs"]');
      const text = await cell.innerText();
      expect(text).toMatch(/netbios-ns, netbios-dgm, netbios-ssn ✗ blocked seen/);
      expect(text).toMatch(/smb ✓ allowed seen/);
      expect(text).toMatch(/⚠ unexpected traffic allowed \(1\)/);
      await page.fill("#filter", "8080");
      expect(await page.locator("#violation-table tbody tr:not(.hidden)").count()).toBe(1);
      expect(await page.locator("#violation-table tbody tr:not(.hidden)").innerText()).toMatch(/allowed-unexpected/);
      await page.fill("#filter", "");
      expect(await page.locator("#violation-table tbody tr:not(.hidden)").count()).toBe(5);
      // Beside the report in the temporary directory: a test run writes nothing into the tree.
      await page.screenshot({ path: join(dir, "report.png"), fullPage: true });
      expect(requests.every((u) => u.startsWith("file://"))).toBe(true);
      expect(dialogs).toEqual([]);
    });
  }, 60_000);

  it("keeps hostile host names and log prefixes inert", async () => {
    const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const dir = tmpFiles({
      "inv.yaml": `roles:\n  file-share-client: [{address: 10.99.1.100, name: "${evil.replace(/"/g, '\\"')}"}]\n  kcps-fs: [10.99.2.10]\n`,
      "x.log": `Nov 23 09:11:01 fw kernel: ${evil} DROP IN=a OUT=b SRC=10.99.1.100 DST=10.99.2.10 LEN=60 PROTO=TCP SPT=50000 DPT=445 WINDOW=1 SYN URGP=0\n`,
    });
    const html = join(dir, "report.html");
    await runCli(["check", "-r", "kcps-file-server", "-i", join(dir, "inv.yaml"), "-o", html, join(dir, "x.log")]);
    await withPage(html, async (page, requests, dialogs) => {
      expect(dialogs).toEqual([]);
      expect(await page.locator("img").count()).toBe(0);
      expect(await page.locator("script").count()).toBe(1);
      expect(await page.locator("#violation-table").innerText()).toContain(evil);
      expect(requests.every((u) => u.startsWith("file://"))).toBe(true);
    });
    writeFileSync(join(dir, "done"), "");
  }, 60_000);
});
