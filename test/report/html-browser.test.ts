import { it, expect, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { describeNeeding, findTool, needTool } from "../helpers/need.js";

/**
 * The HTML report in a real browser (Debian's Chromium driven by playwright-core): what a person sees
 * at 1280 and 1920 px, that it fits the window, the filter box and the folded sections working,
 * nothing fetched from the network, and hostile log content staying inert. Screenshots go to a fresh
 * directory under the system's temporary directory, or to $PORTMATRIX_SCREENSHOTS (the path is printed).
 * .ci/run installs chromium (test/helpers/need.ts says what happens without it).
 */
const CHROMIUM = findTool("chromium") ?? findTool("chromium-browser");
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const WIDTHS = [1280, 1920] as const;

type Page = import("playwright-core").Page;

async function withPage<T>(file: string, width: number, fn: (page: Page, requests: string[], dialogs: string[]) => Promise<T>): Promise<T> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM!, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
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

let shots = "";
/** $PORTMATRIX_SCREENSHOTS (made if missing; CI may keep it as an artifact), else a fresh temporary directory. */
function shotPath(name: string): string {
  if (!shots) {
    const given = process.env.PORTMATRIX_SCREENSHOTS;
    if (given) mkdirSync(given, { recursive: true });
    shots = given ? resolve(given) : mkdtempSync(join(tmpdir(), "portmatrix-html-screenshots-"));
    console.log(`HTML report screenshots: ${shots}`);
  }
  return join(shots, name);
}

/** How the page sits in the window, and the worst of its rows and time cells. */
interface Layout { scrollWidth: number; innerWidth: number; height: number; tallestRow: number; tallestRuleRow: number; timeWraps: string[]; timeNotNowrap: number; cutCells: number }

/** Runs in the page (a string: the tests are compiled without the DOM's types). */
const MEASURE = `(() => {
  const visible = (sel) => Array.from(document.querySelectorAll(sel)).filter((e) => e.offsetParent !== null);
  const rows = visible("table.findings tr.fr");
  const times = visible("td.t time");
  const ruleRows = visible("#coverage-table tbody tr, details.v-unobserved-required tbody tr");
  const cells = visible("#input-table td, #input-table th, table.findings td, table.findings th, #coverage-table td, #coverage-table th, details.v-unobserved-required td, details.v-unobserved-required th, table.matrix td, table.matrix th");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    height: document.documentElement.scrollHeight,
    tallestRow: Math.max(0, ...rows.map((r) => r.getBoundingClientRect().height)),
    tallestRuleRow: Math.max(0, ...ruleRows.map((r) => r.getBoundingClientRect().height)),
    // A time laid out on more than one line box has wrapped.
    timeWraps: times.filter((t) => t.getClientRects().length > 1 || t.getBoundingClientRect().height > parseFloat(getComputedStyle(t).lineHeight) * 1.5).map((t) => t.textContent),
    timeNotNowrap: times.filter((t) => getComputedStyle(t.parentElement).whiteSpace !== "nowrap").length,
    // Text that does not fit its cell and is cut (the inputs table's error column once was).
    cutCells: cells.filter((c) => c.scrollWidth > c.clientWidth + 1).length,
  };
})()`;

function measure(page: Page): Promise<Layout> {
  return page.evaluate<Layout>(MEASURE);
}

function openAll(page: Page): Promise<void> {
  return page.evaluate<void>(`document.querySelectorAll("details").forEach((d) => { d.open = true; })`);
}

async function expectFits(page: Page, what: string): Promise<Layout> {
  const m = await measure(page);
  expect(m.scrollWidth, `${what}: page wider than the window`).toBeLessThanOrEqual(m.innerWidth);
  // Six lines of text: the worst case, a host name and evidence at the length a row clips them to
  // (html-findings.ts ROW_NAME, ROW_EVIDENCE); the issue saw 170 px rows of ordinary data.
  expect(m.tallestRow, `${what}: a finding row this tall means a column too narrow`).toBeLessThan(120);
  // A rule's row holds its seed row (up to 400 characters): at most about six lines of it.
  expect(m.tallestRuleRow, `${what}: a coverage row this tall means the seed row's column too narrow`).toBeLessThan(120);
  expect(m.timeWraps, `${what}: times wrapped`).toEqual([]);
  expect(m.timeNotNowrap).toBe(0);
  expect(m.cutCells, `${what}: cells whose text is cut`).toBe(0);
  return m;
}

const KCPS = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"];

describeNeeding([CHROMIUM === undefined ? needTool("chromium") : undefined], "HTML report in Chromium", () => {
  let fixtureHtml = "";
  let largeHtml = "";
  let mixedHtml = "";

  beforeAll(async () => {
    const dir = tmpFiles({ "README.md": "# notes about these logs\n" });
    fixtureHtml = join(dir, "report.html");
    expect((await runCli([...KCPS, "-o", fixtureHtml, "fixtures/kcps/kern.log"])).code).toBe(1);
    // A directory with a stray README beside the log: an input that fails, with a long error.
    mixedHtml = join(dir, "mixed.html");
    // It also fails on required rules never observed: their list is a table of the violations.
    expect((await runCli([...KCPS, "--fail-on", "blocked-required,allowed-unexpected,unobserved-required", "-o", mixedHtml, "fixtures/kcps/kern.log", join(dir, "README.md")])).code).toBe(2);
    // 200,000 findings, generated by the compiled renderer (npm test builds dist/ first).
    largeHtml = join(dir, "large.html");
    execFileSync(process.execPath, ["test/report/html-large.mjs", largeHtml, "200000", "--baseline"], { stdio: "pipe" });
  }, 120_000);

  it("shows the violations grouped by role pair and service, the matrix cells' status, and filters rows", async () => {
    await withPage(fixtureHtml, 1280, async (page, requests, dialogs) => {
      const groups = page.locator("#violations details.group");
      expect(await groups.count()).toBe(5);
      expect(await groups.first().locator("summary").innerText()).toMatch(/✗ blocked-required · customer-admin-pc → kcps-fs · winrm-http \(tcp\/5985\) · 1 violation \(1 flow\) · 1 stopped on the way/);
      expect(await page.locator("#violations > summary").innerText()).toBe("5 violations (8 flows)");
      const cell = page.locator('td[data-from="file-share-client"][data-to="kcps-fs"]');
      const text = await cell.innerText();
      expect(text).toMatch(/netbios-ns, netbios-dgm, netbios-ssn ✗ blocked seen/);
      expect(text).toMatch(/smb ✓ allowed seen/);
      expect(text).toMatch(/⚠ unexpected traffic allowed: 1 finding \(1 flow\)/);
      await page.fill("#filter", "8080");
      expect(await page.locator("#violations tr.fr:not(.hidden)").count()).toBe(1);
      expect(await page.locator("#violations details.group:not(.hidden)").count()).toBe(1);
      expect(await page.locator("#violations details.group:not(.hidden) summary").innerText()).toMatch(/allowed-unexpected/);
      expect(await page.locator("#filter-count").innerText()).toBe("1 row matches");
      // A match inside a folded section opens it; clearing the box folds it again.
      await page.fill("#filter", "allowed-required");
      expect(await page.locator("#findings").getAttribute("open")).not.toBeNull();
      expect(await page.locator("#findings tr.fr:not(.hidden)").count()).toBeGreaterThan(0);
      await page.fill("#filter", "");
      expect(await page.locator("#findings").getAttribute("open")).toBeNull();
      expect(await page.locator("#violations tr.fr:not(.hidden)").count()).toBe(5);
      // A folded section opens on a click.
      expect(await page.locator("#coverage-table").isVisible()).toBe(false);
      await page.click("#coverage > summary");
      expect(await page.locator("#coverage-table").isVisible()).toBe(true);
      expect(requests.every((u) => u.startsWith("file://"))).toBe(true);
      expect(dialogs).toEqual([]);
    });
  }, 60_000);

  for (const width of WIDTHS) {
    it(`fits a ${width} px window: no sideways scroll, short rows, times on one line, errors wrapped in their cell`, async () => {
      await withPage(fixtureHtml, width, async (page) => {
        await expectFits(page, "fixture");
        await page.screenshot({ path: shotPath(`kcps-${width}.png`), fullPage: true });
        await openAll(page);
        await expectFits(page, "fixture, every section open");
        await page.screenshot({ path: shotPath(`kcps-${width}-open.png`), fullPage: true });
      });
      await withPage(mixedHtml, width, async (page) => {
        expect(await page.locator("#result").innerText()).toMatch(/^Result: not a complete check \(an input could not be read\); 28 violations in what was read/);
        const error = page.locator("#input-table td.bad");
        expect(await error.innerText()).toMatch(/README\.md: not a known format/);
        await expectFits(page, "unreadable input");
        // The error wraps inside its cell: several lines, not one line cut or pushing the page wider.
        expect((await error.boundingBox())!.height).toBeGreaterThan(40);
        await page.locator("#inputs").screenshot({ path: shotPath(`inputs-error-${width}.png`) });
        await openAll(page);
        await expectFits(page, "unreadable input, every section open");
        await page.locator("#violations").screenshot({ path: shotPath(`violations-unobserved-${width}.png`) });
      });
      await withPage(largeHtml, width, async (page) => {
        const folded = await expectFits(page, "200,000 findings");
        // As it opens: 50 group headings (folded), the matrix, and the other sections folded.
        expect(folded.height).toBeLessThan(width === 1280 ? 6000 : 5000);
        await page.screenshot({ path: shotPath(`large-${width}.png`), fullPage: false });
        await openAll(page);
        await expectFits(page, "200,000 findings, every group open");
      });
    }, 120_000);
  }

  it("a 200,000-finding report: groups folded with what each leaves out, baseline marks, a group opens on a click", async () => {
    await withPage(largeHtml, 1280, async (page) => {
      const groups = page.locator("#violations details.group");
      expect(await groups.count()).toBe(50);
      expect(await page.locator("#violations details.group[open]").count()).toBe(0);
      const first = groups.first();
      expect(await first.locator("table").isVisible()).toBe(false);
      await first.locator("summary").click();
      expect(await first.locator("table").isVisible()).toBe(true);
      expect(await first.locator("tr.fr").count()).toBe(20);
      expect(await first.locator("p.more").innerText()).toMatch(/^[\d,]+ more violations \([\d,]+ flows\) in this group are not shown: see the CSV or JSON report\.$/);
      expect(await first.locator("tr.fr .tag.b-new").count() + await first.locator("tr.fr .tag.b-changed").count()).toBe(20);
      expect(await page.locator("#violations > p.more").innerText()).toMatch(/more violations \([\d,]+ flows\) in further groups are not shown/);
      expect(await page.locator("#accepted > summary").innerText()).toMatch(/^Accepted by the baseline: [\d,]+ findings \([\d,]+ flows\)$/);
      expect(await page.locator("#result").innerText()).toMatch(/^Result: [\d,]+ violations/);
      await page.fill("#filter", "tcp/1050");
      expect(await page.locator("#violations details.group:not(.hidden)").count()).toBe(1);
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
    await withPage(html, 1280, async (page, requests, dialogs) => {
      expect(dialogs).toEqual([]);
      expect(await page.locator("img").count()).toBe(0);
      expect(await page.locator("script").count()).toBe(1);
      expect(await page.locator("#violations").innerText()).toContain(evil);
      expect(requests.every((u) => u.startsWith("file://"))).toBe(true);
    });
    writeFileSync(join(dir, "done"), "");
  }, 60_000);
});
