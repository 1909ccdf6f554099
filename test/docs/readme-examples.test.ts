import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";

/**
 * The README's example outputs are what the commands print. Each fenced block that starts with
 * `$ npx portmatrix ...` is run; every line it shows must be a line of the real output (stdout or
 * stderr). A line `...` stands for lines left out; a line with `...` inside stands for a real line with
 * text left out there (its pieces appear in it, in order). `-o FILE` writes into a temporary directory.
 * `probe` is not run: what it finds depends on what listens on the machine (test/probe/ runs it
 * against listeners of its own).
 */
interface Example { line: number; command: string; shown: string[] }

export function readmeExamples(text: string): Example[] {
  const out: Example[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```\s*$/.test(lines[i]!) || !lines[i + 1]?.startsWith("$ npx portmatrix ")) continue;
    const end = lines.indexOf("```", i + 1);
    out.push({ line: i + 2, command: lines[i + 1]!.slice("$ npx portmatrix ".length), shown: lines.slice(i + 2, end) });
    i = end;
  }
  return out;
}

/** Whether `shown` stands for `real`: equal, or its pieces around "..." appear in it in order. */
export function stands(shown: string, real: string): boolean {
  if (!shown.includes("...")) return shown === real;
  let at = 0;
  for (const piece of shown.split("...")) {
    const k = real.indexOf(piece, at);
    if (k < 0) return false;
    at = k + piece.length;
  }
  return true;
}

/** The shown lines that no real line stands for. */
export function unmatched(shown: readonly string[], real: readonly string[]): string[] {
  return shown.filter((l) => l.trim() !== "..." && !real.some((r) => stands(l, r)));
}

/**
 * The first shown line that is not the real output's next one (blank lines aside), or undefined: the
 * shown lines are the real ones in their order, and lines are left out only where a line "..." says so.
 */
export function outOfOrder(shown: readonly string[], real: readonly string[]): string | undefined {
  let at = 0;
  let gap = false;
  for (const l of shown) {
    if (l.trim() === "...") { gap = true; continue; }
    let k = at;
    while (k < real.length && !stands(l, real[k]!) && (gap || real[k]!.trim() === "")) k++;
    if (k === real.length || !stands(l, real[k]!)) return l;
    at = k + 1;
    gap = false;
  }
  return undefined;
}

describe("the README's example outputs", () => {
  it("the check can fail: a changed line, a piece out of order", () => {
    expect(unmatched(["a b c", "...", "x ... z"], ["a b c", "x y z"])).toEqual([]);
    expect(unmatched(["a b d", "z ... x"], ["a b c", "x y z"])).toEqual(["a b d", "z ... x"]);
    expect(outOfOrder(["a", "...", "c"], ["a", "b", "c"])).toBeUndefined();
    expect(outOfOrder(["c", "a"], ["a", "b", "c"])).toBe("c");
    expect(outOfOrder(["...", "c"], ["a", "b", "c"])).toBeUndefined();
    expect(outOfOrder(["a", "c"], ["a", "b", "c"])).toBe("c");
    expect(outOfOrder(["a", "c"], ["a", "", "c"])).toBeUndefined();
  });

  const examples = readmeExamples(readFileSync("README.md", "utf8"));

  // A block introduced by "name (`test/.../golden/FILE`):" is an excerpt of that golden file: each line
  // it shows stands for a line of the file (the export's golden file moved on once, and the README kept
  // a rule's old line number and an unquoted seed).
  const excerpts = [...readFileSync("README.md", "utf8").matchAll(/\(`(test\/[^`]*\/golden\/[^`]+)`\):\n\n```[^\n]*\n([\s\S]*?)\n```/g)];
  it("shows golden files' excerpts as they are", () => {
    expect(excerpts.length).toBeGreaterThan(0);
    for (const [, file, block] of excerpts) expect(unmatched(block!.split("\n"), readFileSync(file!, "utf8").split("\n")), file).toEqual([]);
  });
  it("has examples of check, why, rules show and -o", () => {
    const commands = examples.map((e) => e.command);
    for (const c of [/^check .* fixtures\/kcps\/kern\.log$/, /^why /, /^rules show /, /^check .* -o /]) expect(commands.some((x) => c.test(x)), String(c)).toBe(true);
  });

  it.each(examples.filter((e) => !e.command.startsWith("probe ")).map((e) => [`README.md:${e.line}: ${e.command}`, e] as const))("%s", async (_name, e) => {
    const dir = tmpFiles({});
    const args = e.command.split(" ").map((a, k, all) => (all[k - 1] === "-o" ? join(dir, basename(a)) : a));
    const r = await runCli(args);
    const real = [...r.stdout.split("\n"), ...r.stderr.split("\n")];
    expect(unmatched(e.shown, real)).toEqual([]);
    expect(outOfOrder(e.shown, real), "a shown line out of the real output's order").toBeUndefined();
  });
});
