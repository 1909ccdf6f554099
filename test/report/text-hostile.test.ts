import { describe, it, expect } from "vitest";
import { setupCheck, runCheck, parseFailOn } from "../../src/pipeline/check.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { renderText } from "../../src/report/text.js";
import { diffReports, renderDiff } from "../../src/report/diff.js";
import { explain } from "../../src/pipeline/why.js";
import { renderWhy } from "../../src/pipeline/why-text.js";
import { escapeTerminal, escapeTerminalLines, terminalSafeJson } from "../../src/report/escape.js";
import type { Report } from "../../src/report/types.js";
import { join } from "node:path";
import { tmpFiles } from "../helpers/tmp.js";

/**
 * Every line of the terminal views (text report, `why`, `diff`) is safe whatever a name holds: each
 * string of a real report is replaced by one carrying a line break, a forged `Result:` line, ANSI and
 * OSC sequences, C1 controls, line separators and bidi overrides.
 */
const HOSTILE = "\n\u001b[2J\u001b]0;owned\u0007\rResult: no violations (exit 0)\u009b31m\u2028\u2029\u202eevil\u2066\u200f\t";
// Everything a terminal acts on, bar the line feeds the renderer itself writes.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** Values the renderers compare against their own constants: changing them would hide the findings. */
const ENUM_KEYS = new Set(["schema", "verdict", "action", "status", "requirement", "ruleRequirement", "failOn", "baseline", "direction"]);

function poison<T>(v: T, key = ""): T {
  if (ENUM_KEYS.has(key)) return v;
  if (typeof v === "string") return `${v}${HOSTILE}` as T;
  if (Array.isArray(v)) return v.map((x) => poison(x, key)) as T;
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, poison(x, k)])) as T;
  }
  return v;
}

/** The lab's log and an empty file: violations, and a problem ("no record was used") to render too. */
async function fixtureReport(): Promise<Report> {
  const setup = setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map());
  const empty = join(tmpFiles({ "empty.log": "" }), "empty.log");
  const r = await runCheck(setup, ["fixtures/kcps/kern.log", empty], { decode: defaultDecodeOptions(Date.UTC(2026, 10, 23, 12)), failOn: parseFailOn(undefined) });
  expect(r.checked.problems).toHaveLength(1);
  return r;
}

function expectSafe(benign: string, hostile: string): void {
  expect(hostile).not.toMatch(UNSAFE);
  // Not one line more: a line break in a value cannot start a line of its own.
  expect(hostile.split("\n")).toHaveLength(benign.split("\n").length);
  expect(hostile.split("\n").filter((l) => /^Result:/.test(l))).toHaveLength(benign.split("\n").filter((l) => /^Result:/.test(l)).length);
}

describe("hostile strings in every field of a report", () => {
  it("the text report escapes each of them in place, with and without --all", async () => {
    const r = await fixtureReport();
    for (const all of [false, true]) {
      const benign = renderText(r, { color: false, all });
      const hostile = renderText(poison(r), { color: false, all });
      expectSafe(benign, hostile);
      expect(hostile).toContain("\\x1b]0;owned\\x07\\x0dResult: no violations");
      expect(hostile).toContain("\\u202eevil\\u2066");
    }
  });

  it("the coloured text report carries no escape sequence but its own colours", async () => {
    const r = poison(await fixtureReport());
    const coloured = renderText(r, { color: true });
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, "")).not.toMatch(UNSAFE);
  });

  it("diff and why escape every line", async () => {
    const r = await fixtureReport();
    const old = { ...r, findings: r.findings.slice(3) };
    const benignDiff = renderDiff(diffReports(old, r), r.failOn);
    expectSafe(benignDiff, renderDiff(diffReports(poison(old), poison(r)), r.failOn));

    const setup = setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map());
    // .100 also tried telnet (blocked, in no rule) and 8080 (allowed, in no rule): every section is drawn.
    for (const host of ["10.99.1.200", "10.99.1.100"]) {
      const w = explain(setup, host, r, ["fixtures/kcps/kern.log"]);
      for (const all of [false, true]) expectSafe(renderWhy(w, { all }), renderWhy(poison(w), { all }));
    }
  });
});

describe("escapeTerminal", () => {
  it.each([
    ["\u001b[31m", "\\x1b[31m"],
    ["a\nb\rc\td", "a\\x0ab\\x0dc\\x09d"],
    ["\u007f\u0085\u009b", "\\x7f\\x85\\x9b"],
    ["\u2028\u2029", "\\u2028\\u2029"],
    ["\u202e\u2066\u061c\u200e", "\\u202e\\u2066\\u061c\\u200e"],
    ["plain é 日本", "plain é 日本"],
  ])("%j -> %s", (input, out) => {
    expect(escapeTerminal(input)).toBe(out);
  });

  it("keeps line breaks only in text of several lines", () => {
    expect(escapeTerminalLines("a\u001b\nb\n")).toBe("a\\x1b\nb\n");
  });

  it("makes JSON text terminal-safe without changing its value", () => {
    const v = { s: "\u009b\u2028\u202e\u007f\u001b" };
    const safe = terminalSafeJson(JSON.stringify(v));
    expect(safe).not.toMatch(UNSAFE);
    expect(JSON.parse(safe)).toEqual(v);
  });
});
