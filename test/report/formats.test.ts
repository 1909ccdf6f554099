import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { csvCell, escapeHtml, escapeMarkdown } from "../../src/report/escape.js";
import { parseReport } from "../helpers/report.js";
import { parseSarif } from "../helpers/sarif.js";

const base = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"];
const KERN = "fixtures/kcps/kern.log";

describe("several outputs in one run", () => {
  it("picks each file's format from its extension", async () => {
    const dir = tmpFiles({});
    const files = ["r.html", "r.json", "r.md", "r.csv", "r.junit.xml", "r.sarif", "r.txt"].map((f) => join(dir, f));
    const r = await runCli([...base, ...files.flatMap((f) => ["-o", f]), KERN]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const read = (i: number) => readFileSync(files[i]!, "utf8");
    expect(read(0)).toMatch(/^<!DOCTYPE html>/);
    expect((parseReport(read(1))).schema).toBe("portmatrix/report/v1");
    expect(read(2)).toMatch(/^### portmatrix/);
    expect(read(3)).toMatch(/^verdict,action,blocked_by,src,/);
    expect(read(4)).toMatch(/^<\?xml[\s\S]*<testsuites/);
    expect(parseSarif(read(5)).version).toBe("2.1.0");
    expect(read(6)).toMatch(/^portmatrix check/);
  });
  it("refuses an output name whose format it cannot tell", async () => {
    const r = await runCli([...base, "-o", "/tmp/report.bin", "-o", "/tmp/x.json", KERN]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--output \/tmp\/report\.bin: cannot tell the format/);
  });
});

describe("baseline and diff", () => {
  it("--baseline fails only on findings that are new or changed verdict; diff says what changed", async () => {
    const dir = tmpFiles({});
    const lines = readFileSync(KERN, "utf8").split("\n").filter(Boolean);
    // Before: everything but the 8080 line. After: the 8080 line too, and 445 now dropped.
    writeFileSync(join(dir, "before.log"), lines.filter((l) => !/DPT=8080 /.test(l)).join("\n") + "\n");
    const after = lines.map((l) => (/DPT=445 / .test(l) && /SRC=10\.99\.1\.100 /.test(l) ? l.replace("ACCEPT", "DROP") : l));
    writeFileSync(join(dir, "after.log"), after.join("\n") + "\n");
    const old = join(dir, "old.json");
    expect((await runCli([...base, "-o", old, join(dir, "before.log")])).code).toBe(1);
    // Same input against its own baseline: nothing new, exit 0.
    const same = await runCli([...base, "--baseline", old, "--format", "json", join(dir, "before.log")]);
    expect(same.code).toBe(0);
    expect((parseReport(same.stdout)).baseline).toMatchObject({ new: 0, changed: 0 });
    const next = await runCli([...base, "--baseline", old, "--format", "json", join(dir, "after.log")]);
    expect(next.code).toBe(1);
    const rep = parseReport(next.stdout);
    expect(rep.baseline).toMatchObject({ new: 1, changed: 1 });
    expect(rep.totals.violations).toBe(2);
    expect(rep.findings.filter((f) => f.baseline !== "unchanged").map((f) => `${f.verdict} ${f.port}`).sort()).toEqual(["allowed-unexpected 8080", "blocked-required 445"]);
    const now = join(dir, "new.json");
    writeFileSync(now, next.stdout);
    const d = await runCli(["diff", old, now]);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/New findings: 1\n {2}✗ \+ allowed-unexpected {2}file-share-client -> kcps-fs {2}tcp\/8080/);
    expect(d.stdout).toMatch(/Changed verdicts: 1\n {2}✗ ~ blocked-required:network {2}file-share-client -> kcps-fs {2}tcp\/445 .*\(was allowed-required\)/);
    expect(d.stdout).toMatch(/Coverage changes: 1\n {4}smb-client-to-kcps-fs: allowed -> allowed-and-blocked/);
    expect((await runCli(["diff", old, old])).code).toBe(0);
    expect((await runCli(["diff", old, KERN])).stderr).toMatch(/kern\.log: not JSON/);
  });
});

describe("escaping is the renderers' job", () => {
  it("neutralises formula prefixes in CSV and markup in HTML and Markdown", () => {
    expect(csvCell("=HYPERLINK(\"http://x\")")).toBe("\"'=HYPERLINK(\"\"http://x\"\")\"");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-2")).toBe("'-2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    // OWASP "CSV injection": a leading tab or carriage return is neutralised too (spreadsheets skip
    // the whitespace and read the formula behind it). A CR is shown as \x0d text, so the cell no
    // longer starts with one.
    expect(csvCell("\t=1+2")).toBe("'\t=1+2");
    expect(csvCell("\tplain")).toBe("'\tplain");
    expect(csvCell("\r=1+2")).toBe("\\x0d=1+2");
    expect(csvCell("a\t=1")).toBe("a\t=1");
    // A line break inside a cell is quoted (RFC 4180), so it cannot start a forged row.
    expect(csvCell("a\nb")).toBe("\"a\nb\"");
    expect(csvCell(42)).toBe("42");
    expect(escapeHtml("<b onclick='x'>&")).toBe("&lt;b onclick=&#39;x&#39;&gt;&amp;");
    expect(escapeMarkdown("a|b<script>`x`\n")).toBe("a\\|b&lt;script&gt;\\`x\\` ");
    expect(escapeHtml("\u001b[31mred")).toBe("\\x1b[31mred");
  });
});

describe("CSV written in chunks", () => {
  it("cuts only between whole rows, and the pieces make the whole text", async () => {
    const { csvChunks, renderCsv } = await import("../../src/report/csv.js");
    const r = parseReport((await runCli([...base, "--format", "json", KERN])).stdout);
    expect(r.findings.length).toBeGreaterThan(5);
    const whole = renderCsv(r);
    for (const size of [1, 50, 400, 1 << 20]) {
      const chunks = [...csvChunks(r, r.findings, size)];
      expect(chunks.join("")).toBe(whole);
      for (const c of chunks) expect(c.endsWith("\r\n")).toBe(true);
      if (size === 1) expect(chunks).toHaveLength(r.findings.length);
    }
  });
});

describe("CSV read back by a CSV parser", () => {
  it("has one record per finding with every column, also when a ruleset's text spans lines and starts a formula", async () => {
    const { parse } = await import("csv-parse/sync");
    const dir = tmpFiles({});
    const ruleset = join(dir, "r.yaml");
    // A rule's source may be several lines of YAML; one line of it looks like a formula and a row.
    const text = readFileSync("rulesets/kcps-file-server.yaml", "utf8").replace(
      /(- id: smb-client-to-kcps-fs\n(?:    .*\n)*?)    source: .*\n/,
      (_m, head: string) => `${head}    source: "seed 004\\n=HYPERLINK(\\"http://x\\"),forged,row\\nend"\n`,
    );
    expect(text).toContain("=HYPERLINK");
    writeFileSync(ruleset, text);
    const r = await runCli(["check", "-r", ruleset, "-i", "fixtures/kcps/inventory.yaml", "--format", "csv", KERN]);
    expect(r.code, r.stderr).toBe(1);
    const rows = parse(r.stdout, { relax_column_count: false }) as string[][];
    const json = parseReport((await runCli(["check", "-r", ruleset, "-i", "fixtures/kcps/inventory.yaml", "--format", "json", KERN])).stdout);
    expect(rows).toHaveLength(1 + json.findings.length);
    const col = rows[0]!.indexOf("rule_source");
    const smb = rows.filter((row) => row[rows[0]!.indexOf("rule")] === "smb-client-to-kcps-fs");
    expect(smb.length).toBeGreaterThan(0);
    for (const row of smb) expect(row[col]).toBe("seed 004\n=HYPERLINK(\"http://x\"),forged,row\nend");
  });
});
