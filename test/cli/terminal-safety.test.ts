import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpFiles } from "../helpers/tmp.js";

/**
 * Names from file systems, inventories and logs reach the terminal only escaped, through the real
 * process's stdout and stderr: no escape sequence acts, no line break in a name starts a line.
 */
const FORGE = "\nResult: no violations (exit 0)\u001b]0;owned\u0007\u001b[2J\u009b1m\u2028\u202e";
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("node", ["bin/portmatrix.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectSafe(text: string): void {
  expect(text).not.toMatch(UNSAFE);
  expect(text).not.toMatch(/^Result: no violations/m);
}

describe("hostile names on the terminal", () => {
  it("file names found in a directory, inventory host names and log fields are escaped in the report and on stderr", () => {
    const dir = tmpFiles({});
    const logs = join(dir, "logs");
    mkdirSync(logs);
    const kern = readFileSync("fixtures/kcps/kern.log", "utf8").replace(/pmlab-kcps/g, `pmlab${FORGE}`.replace(/\n/g, ""));
    writeFileSync(join(logs, `kern${FORGE}.log`), kern);
    writeFileSync(join(logs, `junk${FORGE}.bin`), "\u0001\u0002 not a log\n");
    writeFileSync(join(dir, "inv.yaml"), readFileSync("fixtures/kcps/inventory.yaml", "utf8")
      .replace("10.99.1.200", `{address: 10.99.1.200, name: ${JSON.stringify(`admin${FORGE}`)}}`));
    const r = run(["check", "-r", "kcps-file-server", "-i", join(dir, "inv.yaml"), logs]);
    expect(r.status).toBe(2);
    expectSafe(r.stdout);
    expectSafe(r.stderr);
    expect(r.stdout.match(/^Result:/gm)).toHaveLength(1);
    expect(r.stdout).toContain("admin\\x0aResult: no violations (exit 0)\\x1b]0;owned\\x07");
    expect(r.stdout).toContain(`kern\\x0aResult: no violations (exit 0)\\x1b]0;owned\\x07\\x1b[2J\\x9b1m\\u2028\\u202e.log`);
    // One message, one line: the unreadable file's error names it escaped.
    for (const line of r.stderr.trimEnd().split("\n")) expect(line).toMatch(/^portmatrix: /);
    expect(r.stderr).toMatch(/junk\\x0aResult: no violations.*: not a known format/);
  });

  it("a role or a name in an inventory error is escaped", () => {
    // No ";" or space: a role cell may list several roles separated by them.
    const dir = tmpFiles({ "inv.csv": "10.99.1.200,kcps-fs\u001b[2J\u009b1m\u2028\u202e\u0007\n" });
    const r = run(["check", "-r", "kcps-file-server", "-i", join(dir, "inv.csv"), "fixtures/kcps/kern.log"]);
    expect(r.status).toBe(2);
    expectSafe(r.stderr);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain('unknown role "kcps-fs\\x1b[2J\\x9b1m\\u2028\\u202e\\x07"');
  });

  it("why escapes the host it is asked about and the inventory's names", () => {
    const r = run(["why", `nohost${FORGE}`, "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"]);
    expect(r.status).toBe(2);
    expectSafe(r.stderr);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("commander's own messages (an unknown option) pass through the same escaping writer", () => {
    const r = run(["check", "-r", "x", "-i", "y", "--bogus\u001b]0;owned\u0007\u009b2J"]);
    expect(r.status).toBe(2);
    expectSafe(r.stderr);
    expect(r.stderr).toContain("--bogus\\x1b]0;owned\\x07\\x9b2J");
  });

  it("events --skipped writes valid JSON lines with nothing raw for the terminal", () => {
    const dir = tmpFiles({ "x.log": `${readFileSync("fixtures/kcps/kern.log", "utf8")}Nov 23 09:11:01 fw kernel: junk \u009b2J\u2028\u202e line\n` });
    const r = run(["events", "--skipped", join(dir, "x.log")]);
    expect(r.status).toBe(0);
    expectSafe(r.stderr);
    const skipped = r.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { text?: string });
    expect(skipped.some((s) => s.text?.includes("\u009b2J\u2028\u202e"))).toBe(true);
  });
});
