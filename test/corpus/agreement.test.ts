import { it, expect } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { needCorpus, describeNeeding } from "../helpers/need.js";
import { allCases, compare, runCase, runFile, type Case, type CaseRun, type Outcome } from "./corpus.js";

/**
 * Every real line of the shared corpus's logs/ (test/helpers/need.ts finds it) read through `portmatrix events`' path (detection, then the
 * format's decoder), compared line by line with another project's parse: address, port, protocol and
 * action. Lines the other project does not call traffic must be skipped, never read as flows.
 * Deliberate differences are listed, with the reason, in fixtures/logs/corpus-notes.json.
 * The README's table is generated from this run (`npm run golden:update`) and checked against it.
 */
const FOLDERS = [
  "netfilter", "windows-firewall", "panos", "fortigate", "cisco-asa-ftd", "pfsense-filterlog", "juniper-srx", "checkpoint",
  "cef", "aws-vpc-flow", "azure-nsg-flow", "gcp-firewall", "gcp-vpc-flow", "zeek-conn", "sonicwall", "sophos-firewall",
  "watchguard-firebox", "stormshield", "barracuda-cloudgen", "forcepoint-ngfw", "netscreen", "pf-openbsd", "ipfw",
];
/** Formats portmatrix reads; the 95% agreement target applies to these. */
const SUPPORTED = new Set(["netfilter", "windows-firewall", "pfsense-filterlog", "aws-vpc-flow", "azure-nsg-flow", "gcp-firewall", "gcp-vpc-flow", "zeek-conn", "panos", "fortigate", "checkpoint", "cef", "sonicwall", "sophos-firewall", "watchguard-firebox", "stormshield", "barracuda-cloudgen", "forcepoint-ngfw", "pf-openbsd", "ipfw", "cisco-asa-ftd", "juniper-srx", "netscreen"]);
const TARGET = 0.95;

interface Note { outcome: Outcome; reason: string }
const notes = JSON.parse(readFileSync("fixtures/logs/corpus-notes.json", "utf8")) as Record<string, Note>;

interface Row { folder: string; lines: number; traffic: number; agree: number; noOracleRead: number; explained: number; disagree: string[]; skippedTraffic: string[]; skipped: Map<string, number>; flowFromNonTraffic: string[]; formats: Set<string> }

async function evaluate(folder: string): Promise<Row> {
  const row: Row = { folder, lines: 0, traffic: 0, agree: 0, noOracleRead: 0, explained: 0, disagree: [], skippedTraffic: [], skipped: new Map(), flowFromNonTraffic: [], formats: new Set() };
  const files = new Map<string, Map<number, CaseRun>>();
  for (const c of allCases(folder)) {
    row.lines++;
    if (c.expected) row.traffic++;
    let run: CaseRun;
    if (c.file !== undefined && c.line !== undefined) {
      let f = files.get(c.file);
      if (!f) { f = await runFile(c.file); files.set(c.file, f); }
      const whole = f.get(-1)!;
      run = f.get(c.line) ?? { format: whole.format, events: [], ...(whole.error !== undefined ? { error: whole.error } : {}) };
    } else run = await runCase(c.message);
    row.formats.add(run.format);
    const { outcome, diff } = compare(c, run);
    const note = notes[c.id];
    if (note) {
      expect(outcome, `${c.id}: noted as ${note.outcome} (${note.reason})`).toBe(note.outcome);
      if (outcome !== "agree" && c.expected) row.explained++;
    }
    if (outcome === "agree") row.agree++;
    else if (outcome === "read-no-oracle") row.noOracleRead++;
    else if (outcome === "skipped" || outcome === "skipped-traffic" || outcome === "skipped-no-oracle") {
      const why = run.skip ?? (run.error ? "unknown-format" : "no-flow");
      row.skipped.set(why, (row.skipped.get(why) ?? 0) + 1);
      if (outcome === "skipped-traffic" && !note) row.skippedTraffic.push(`${c.id}: ${diff}`);
    } else if (outcome === "disagree" && !note) row.disagree.push(`${c.id}: ${diff}`);
    else if (outcome === "flow-from-non-traffic" && !note) row.flowFromNonTraffic.push(`${c.id}: ${diff}`);
    void (c as Case);
  }
  return row;
}

function table(rows: Row[]): string {
  const out = [
    "| format (corpus folder) | lines | traffic lines (other project) | agree | raw agreement | deliberate differences | agreement, deliberate differences set aside | read, no parse to compare | skipped, by reason |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  const pct = (n: number, d: number) => (d > 0 ? `${((100 * n) / d).toFixed(1)}%` : "-");
  for (const r of rows) {
    const all = [...r.skipped.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const rest = all.slice(8).reduce((n, [, c]) => n + c, 0);
    const skipped = (all.slice(0, 8).map(([k, n]) => `${k} ${n}`).join(", ") + (rest ? `, ${all.length - 8} other reasons ${rest}` : "")) || "-";
    const support = SUPPORTED.has(r.folder) ? "" : " (not yet read)";
    // Raw: every traffic line counts. Set aside: lines whose difference fixtures/logs/corpus-notes.json
    // explains leave the denominator (the 95% target is on this one).
    out.push(`| ${r.folder}${support} | ${r.lines} | ${r.traffic} | ${r.agree} | ${pct(r.agree, r.traffic)} | ${r.explained || "-"} | ${pct(r.agree, r.traffic - r.explained)} | ${r.noOracleRead} | ${skipped} |`);
  }
  const sum = (k: "lines" | "traffic" | "agree" | "explained" | "noOracleRead") => rows.reduce((n, r) => n + r[k], 0);
  out.push(`| **all** | ${sum("lines")} | ${sum("traffic")} | ${sum("agree")} | ${pct(sum("agree"), sum("traffic"))} | ${sum("explained")} | ${pct(sum("agree"), sum("traffic") - sum("explained"))} | ${sum("noOracleRead")} | ${rows.reduce((n, r) => n + [...r.skipped.values()].reduce((a, b) => a + b, 0), 0)} |`);
  return out.join("\n") + "\n";
}

describeNeeding([needCorpus], "agreement with other projects' parses of real firewall lines", () => {
  const rows: Row[] = [];
  for (const folder of FOLDERS) {
    it(`${folder}`, async () => {
      const row = await evaluate(folder);
      rows.push(row);
      expect(row.lines, `no corpus lines for ${folder}: the corpus lacks the folder or its layout changed`).toBeGreaterThan(0);
      if (SUPPORTED.has(folder)) {
        const denom = row.traffic - row.explained;
        expect(row.flowFromNonTraffic, "lines that are not traffic were read as flows").toEqual([]);
        expect(row.disagree.length + row.skippedTraffic.length, [...row.disagree, ...row.skippedTraffic].join("\n")).toBeLessThanOrEqual(Math.floor(denom * (1 - TARGET)));
      }
    }, 60_000);
  }
  it("the README's table is this run's", () => {
    // A blank line before the end marker: glued under the table, the comment would render as a row.
    const t = table(rows) + "\n";
    const readme = readFileSync("README.md", "utf8");
    const start = "<!-- corpus-table:start -->\n";
    const end = "<!-- corpus-table:end -->";
    const i = readme.indexOf(start);
    const j = readme.indexOf(end);
    expect(i, "README has the corpus table markers").toBeGreaterThan(0);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync("README.md", readme.slice(0, i + start.length) + t + readme.slice(j));
    else expect(readme.slice(i + start.length, j)).toBe(t);
  });
});
