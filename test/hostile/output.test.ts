import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync, existsSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { parseReport } from "../helpers/report.js";
import { parseSarif } from "../helpers/sarif.js";

/**
 * Malicious content in fields (markup, script, ANSI escapes, formula prefixes, NUL, invalid UTF-8,
 * very long lines) is inert in every output format.
 */
const EVIL_PREFIX = '=cmd|"/c calc"!A1<script>alert(1)</script>\u001b[2J\u001b]0;owned\u0007|x`y`*z*';
const EVIL_NAME = '<img src=x onerror=alert(2)>\u001b[31m@SUM(1)';
/** A spreadsheet skips a leading tab and runs the formula behind it (OWASP "CSV injection"). */
const TAB_NAME = "\t=HYPERLINK(\"http://x\")";

function hostileInputs() {
  const line = (prefix: string, src: string, dpt: number) => `Nov 23 09:11:01 fw kernel: ${prefix} DROP IN=a OUT=b SRC=${src} DST=10.99.2.10 LEN=60 PROTO=TCP SPT=50000 DPT=${dpt} WINDOW=1 SYN URGP=0\n`;
  const log = Buffer.concat([
    Buffer.from(line(EVIL_PREFIX, "10.99.1.100", 445)),
    Buffer.from("Nov 23 09:11:01 fw kernel: \u0000\u0000 DROP IN=a OUT=b SRC=10.99.1.101 DST=10.99.2.10 LEN=60 PROTO=TCP SPT=1 DPT=139 URGP=0\n"),
    Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x20]), Buffer.from(line("bad-utf8", "10.99.1.102", 88)),
    Buffer.from("x".repeat(2_000_000) + "\n"),
    Buffer.from(line("-2+3", "10.99.1.103", 8080)),
  ]);
  return tmpFiles({
    "inv.yaml": `roles:\n  file-share-client: [10.99.1.0/24, {address: 10.99.1.100, name: ${JSON.stringify(EVIL_NAME)}}, {address: 10.99.1.103, name: ${JSON.stringify(TAB_NAME)}}]\n  kcps-fs: [10.99.2.10]\n`,
    "evil.log": log,
  });
}

describe("hostile field content is inert in every output", () => {
  it("terminal, HTML, Markdown, CSV, JUnit, SARIF, JSON", async () => {
    const dir = hostileInputs();
    const outs = ["r.txt", "r.html", "r.md", "r.csv", "r.junit.xml", "r.sarif", "r.json"].map((f) => join(dir, f));
    const r = await runCli(["check", "-r", "kcps-file-server", "-i", join(dir, "inv.yaml"), ...outs.flatMap((o) => ["-o", o]), join(dir, "evil.log")]);
    expect(r.code, r.stderr).toBe(1);
    const [txt, html, md, csv, junit, sarif, json] = outs.map((o) => readFileSync(o, "utf8")) as [string, string, string, string, string, string, string];
    // Terminal: no control character from the input reaches it.
    // eslint-disable-next-line no-control-regex
    expect(txt).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(txt).toContain("\\x1b[2J");
    // HTML: no tag from the input.
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    // Markdown: no raw markup or table-breaking pipe.
    expect(md).not.toMatch(/<script|<img/);
    // The violations table's rows (the summary table above it also opens with "| blocked-required").
    for (const l of md.split("\n").filter((x) => x.startsWith("| blocked") && !x.includes("| unobserved-required |"))) expect(l.split(/(?<!\\)\|/).length).toBe(10);
    // CSV: no cell a spreadsheet would run as a formula.
    for (const row of csv.split("\r\n").slice(1).filter(Boolean)) {
      for (const cell of row.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []) {
        const v = cell.replace(/,$/, "").replace(/^"|"$/g, "");
        expect(v, row).not.toMatch(/^[=+\-@\t\r]/);
      }
    }
    expect(csv, "the tab-led name is in the CSV, neutralised").toContain(`"'\t=HYPERLINK(""http://x"")"`);
    // JUnit and SARIF parse, and carry the text escaped.
    expect(junit).not.toContain("<script>");
    // eslint-disable-next-line no-control-regex
    expect(junit).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    parseSarif(sarif);
    const rep = parseReport(json);
    expect(rep.inputs[0]!.skippedByReason["line-too-long"]).toBe(1);
    expect(rep.inputs[0]!.records.read).toBe(rep.inputs[0]!.records.used + rep.inputs[0]!.records.skipped);
  });
});

describe("error messages", () => {
  it("never pass control characters from an input to the terminal", async () => {
    const dir = tmpFiles({ "x.txt": "hello \u001b[2J\u001b]0;owned\u0007 world\n" });
    const r = await runCli(["events", join(dir, "x.txt")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a known format \(its first line is "hello \\x1b\[2J\\x1b\]0;owned\\x07 world"\)/);
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });
});

describe("interruption", () => {
  it("Ctrl-C ends a long run promptly, with no report file and no temporary file left", async () => {
    const dir = tmpFiles({});
    const big = join(dir, "big.log");
    writeFileSync(big, readFileSync("fixtures/kcps/kern.log", "utf8").repeat(40_000));
    const out = join(dir, "report.json");
    const child = spawn("node", ["bin/portmatrix.js", "check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "-o", out, big], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => { stderr += c.toString(); });
    await readingFile(child.pid!, big);
    const t0 = Date.now();
    child.kill("SIGINT");
    const code = await new Promise<number | null>((res) => child.on("exit", (c) => res(c)));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted \(SIGINT\); no report written/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

/**
 * Wait until the process reads `file` (a descriptor in /proc/PID/fd points at it, proc(5)): by then
 * main() has installed its SIGINT handler. On a loaded machine loading the CLI takes over a second,
 * and a signal sent before that gets Node's default action, not the behaviour under test. Where
 * /proc is missing, wait a fixed 400 ms.
 */
async function readingFile(pid: number, file: string): Promise<void> {
  const fds = `/proc/${pid}/fd`;
  if (!existsSync(fds)) { await new Promise((res) => setTimeout(res, 400)); return; }
  for (let waited = 0; waited < 20_000; waited += 20) {
    const open = readdirSync(fds).some((fd) => { try { return readlinkSync(join(fds, fd)) === file; } catch { return false; } });
    if (open) return;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`process ${pid} did not open ${file} within 20 s`);
}

describe("YAML that tries to exhaust memory or the stack", () => {
  it("refuses alias bombs and deep nesting in an inventory with a clear error", async () => {
    const bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nroles: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n";
    const deep = "roles:\n  kcps-fs: " + "[".repeat(200) + "]".repeat(200) + "\n";
    const dir = tmpFiles({ "bomb.yaml": bomb, "deep.yaml": deep });
    const a = await runCli(["check", "-r", "kcps-file-server", "-i", join(dir, "bomb.yaml"), "fixtures/kcps/kern.log"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/bomb\.yaml:1:1: YAML error: .*alias/i);
    const b = await runCli(["check", "-r", "kcps-file-server", "-i", join(dir, "deep.yaml"), "fixtures/kcps/kern.log"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/deep\.yaml:1:1: YAML nesting deeper than 64 levels/);
  });
});
