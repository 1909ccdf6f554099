#!/usr/bin/env node
// Regenerates docs/img/report-html.png, the HTML report screenshot in the README, from the bundled
// sample (the quick start's fixtures/kcps/kern.log). Run by hand, never by npm test:
//   npm run docs:screenshot
// Needs Debian's chromium (as the browser tests), pngquant to make the PNG small, and a Japanese font
// for the seed rows' quotations: apt-get install chromium pngquant fonts-ipafont-gothic
import { execFileSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const out = "docs/img/report-html.png";
const dir = mkdtempSync(join(tmpdir(), "portmatrix-screenshot-"));
const html = join(dir, "report.html");
const raw = join(dir, "report.png");
try {
  execFileSync(process.execPath, ["bin/portmatrix.js", "check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "-o", html, "fixtures/kcps/kern.log"], { stdio: "inherit" });
} catch (e) {
  if (e.status !== 1) throw e; // 1: the sample has violations, as it should
}
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  await page.goto(`file://${html}`);
  await page.screenshot({ path: raw });
} finally {
  await browser.close();
}
execFileSync("pngquant", ["--force", "--quality", "60-85", "--strip", "--output", out, raw], { stdio: "inherit" });
console.log(`${out}: ${statSync(out).size} bytes`);
