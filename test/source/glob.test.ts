import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { compileFilter, globToRegExp, keepDirectory, keepFile } from "../../src/source/glob.js";

describe("glob patterns of --include and --exclude", () => {
  it.each([
    // pattern, path, matches
    ["*.md", "README.md", true],
    ["*.md", "docs/README.md", false],
    ["*.md", ".md", true],
    ["*.log", "kern.log.1", false],
    ["*.log*", "kern.log.1", true],
    ["README*", "README", true],
    ["README*", "README.txt", true],
    ["README*", "xREADME", false],
    ["?.log", "a.log", true],
    ["?.log", "ab.log", false],
    ["?.log", "/.log", false],
    ["**/*.md", "README.md", true],
    ["**/*.md", "a/b/c/README.md", true],
    ["**", "a/b/c", true],
    ["old/**", "old/a.log", true],
    ["old/**", "old/x/y/a.log", true],
    ["old/**", "older/a.log", false],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/b", "a/xb", false],
    ["a*/b", "abc/b", true],
    ["a*/b", "a/c/b", false],
    ["[kK]ern.log", "Kern.log", true],
    ["[kK]ern.log", "bern.log", false],
    ["fw[0-9].log", "fw7.log", true],
    ["fw[0-9].log", "fwa.log", false],
    ["fw[!0-9].log", "fwa.log", true],
    ["fw[^0-9].log", "fw7.log", false],
    ["x[!a]y", "x/y", false],
    ["[]]", "]", true],
    ["[a\\-z]", "-", true],
    ["[a\\-z]", "m", false],
    ["\\*.log", "*.log", true],
    ["\\*.log", "a.log", false],
    ["a.b", "axb", false],
    ["(x)+$.log", "(x)+$.log", true],
    ["ファイル*.log", "ファイル1.log", true],
    ["?.log", "😀.log", true],
  ])("%j against %j: %s", (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected);
  });

  it("names a malformed pattern and its option", () => {
    expect(() => globToRegExp("fw[0-9.log", "--exclude")).toThrow(/^--exclude fw\[0-9\.log: the "\[" at character 3 is never closed; write \\\[ for a literal \[$/);
    expect(() => globToRegExp("[]", "--include")).toThrow(/never closed/);
  });

  it("a pattern without wildcards matches exactly that string; every string compiles to a pattern that matches itself escaped", () => {
    fc.assert(fc.property(fc.string({ maxLength: 20 }), (s) => {
      const escaped = s.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
      expect(globToRegExp(escaped).test(s)).toBe(true);
      expect(globToRegExp(escaped).test(s + "x")).toBe(false);
    }), { numRuns: 500 });
  });

  it("keeps a file when an include matches its relative path or base name and no exclude does; excludes prune directories", () => {
    const f = compileFilter(["*.log", "zeek/**"], ["old/**", "*.tmp.log", "archive"]);
    expect(keepFile(f, "fw/kern.log", "kern.log")).toBe(true);
    expect(keepFile(f, "README.md", "README.md")).toBe(false);
    expect(keepFile(f, "zeek/conn.txt", "conn.txt")).toBe(true);
    expect(keepFile(f, "old/kern.log", "kern.log")).toBe(false);
    expect(keepFile(f, "x.tmp.log", "x.tmp.log")).toBe(false);
    expect(keepDirectory(f, "archive", "archive")).toBe(false);
    expect(keepDirectory(f, "fw/archive", "archive")).toBe(false);
    expect(keepDirectory(f, "zeek", "zeek")).toBe(true);
    expect(keepFile(compileFilter([], []), "anything", "anything")).toBe(true);
  });
});
