import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { parse } from "csv-parse/sync";
import { runCli } from "../helpers/cli.js";
import { activeRules, loadRulesetDef, resolveRuleset } from "../../src/model/ruleset.js";
import { ruleRows, wrapCell, type RuleRow } from "../../src/report/rules-table.js";
import { outputWidth } from "../../src/cli/common.js";

const squash = (s: string) => s.replace(/\s+/g, "");

function rowsOf(id: string): RuleRow[] {
  const rs = resolveRuleset(loadRulesetDef(id), new Map(), new Map());
  return ruleRows(rs, activeRules(rs, [], false));
}

/**
 * Read the table back: column starts from the header, a row starts at each line whose REQ cell is
 * set (REQ never wraps), and each cell is its column's slices of the row's lines joined.
 */
function readTable(text: string): string[][] {
  const lines = text.split("\n");
  const top = lines.findIndex((l) => l.startsWith("RULE "));
  const header = lines[top]!;
  const names = ["RULE", "FROM", "TO", "PORTS", "SCENARIOS", "REQ"];
  const starts = names.map((n) => header.indexOf(n));
  const cut = (l: string) => starts.map((s, j) => l.slice(s, j + 1 < starts.length ? starts[j + 1] : undefined).trim());
  const rows: string[][] = [];
  for (const l of lines.slice(top + 1)) {
    if (l === "") break;
    const cells = cut(l);
    if (cells[5] !== "") rows.push(cells);
    else cells.forEach((c, j) => { rows[rows.length - 1]![j] += c; });
  }
  return rows.map((r) => r.map(squash));
}

describe("rules show", () => {
  it("wraps a cell within its width and drops nothing", () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z0-9 ,;/-]{0,80}$/), fc.integer({ min: 1, max: 40 }), (text, w) => {
      const lines = wrapCell(text, w);
      for (const l of lines) {
        expect(l.length).toBeLessThanOrEqual(w);
        expect(l).toBe(l.trimEnd());
      }
      expect(squash(lines.join(""))).toBe(squash(text));
    }), { numRuns: 500 });
    expect(wrapCell("tcp 135, 593, 49152-65535; udp 53", 12)).toEqual(["tcp 135,", "593, 49152-", "65535; udp", "53"]);
    expect(wrapCell("center-server-to-linux-rcs-ssh", 16)).toEqual(["center-server-", "to-linux-rcs-ssh"]);
  });

  for (const id of ["kcps-file-server", "skydiv-desktop-client"]) {
    it.each([72, 80, 100, 160])(`${id} at %i columns: every line fits, every cell is whole, inferred rules keep their *`, async (width) => {
      const r = await runCli(["rules", "show", id, "--width", String(width)]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain("…");
      for (const l of r.stdout.split("\n")) expect(l.length, l).toBeLessThanOrEqual(width);
      const rows = rowsOf(id);
      const table = readTable(r.stdout);
      expect(table).toHaveLength(rows.length);
      table.forEach((cells, k) => {
        const row = rows[k]!;
        const req = (row.requirement.startsWith("cond") ? "conditional" : "required") + (row.inferred.startsWith("inferred") ? "*" : "");
        expect(cells, row.rule).toEqual([row.rule, row.from, row.to, row.protocols, row.scenarios, req].map(squash));
      });
    });
  }

  it("takes the width from the terminal, then COLUMNS, else 100", async () => {
    const widest = (s: string) => Math.max(...s.split("\n").map((l) => l.length));
    expect(widest((await runCli(["rules", "show", "skydiv-desktop-client"])).stdout)).toBeLessThanOrEqual(100);
    expect(widest((await runCli(["rules", "show", "skydiv-desktop-client"])).stdout)).toBeGreaterThan(90);
    expect(widest((await runCli(["rules", "show", "skydiv-desktop-client"], { COLUMNS: "72" })).stdout)).toBeLessThanOrEqual(72);
    const io = { stdout: () => undefined, stderr: () => undefined, stdoutIsTTY: true, stderrIsTTY: true, env: { COLUMNS: "90" } };
    expect(outputWidth({ ...io, columns: 132 }, undefined)).toBe(132);
    expect(outputWidth(io, undefined)).toBe(90);
    expect(outputWidth({ ...io, env: {} }, undefined)).toBe(100);
    expect(outputWidth({ ...io, columns: 132 }, "64")).toBe(64);
    const bad = await runCli(["rules", "show", "kcps-file-server", "--width", "abc"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--width abc: expected a number of columns, 20 or more/);
  });

  it("keeps Markdown, CSV and JSON whole", async () => {
    const rows = rowsOf("skydiv-desktop-client");
    const md = (await runCli(["rules", "show", "skydiv-desktop-client", "--format", "md"])).stdout;
    for (const row of rows) {
      expect(md).toContain(`| ${row.rule} |`);
      expect(md).toContain(` ${row.protocols} `);
    }
    const csv = parse((await runCli(["rules", "show", "skydiv-desktop-client", "--format", "csv"])).stdout, { columns: true }) as Record<string, string>[];
    const keys = Object.keys(csv[0]!);
    expect(keys).toEqual(expect.arrayContaining(["rule", "protocols", "scenarios", "requirement", "inferred"]));
    expect(csv).toEqual(rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k as keyof RuleRow]]))));
    const json = JSON.parse((await runCli(["rules", "show", "skydiv-desktop-client", "--format", "json"])).stdout) as { rules: { id: string }[] };
    expect(json.rules.map((r) => r.id)).toEqual(rows.map((r) => r.rule));
  });
});
