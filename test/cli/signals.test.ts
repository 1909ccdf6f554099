/**
 * The built CLI as a child process, for what only a real process shows: a FIFO with no writer as an
 * input or as the inventory must neither hang nor keep the process from ending on SIGINT/SIGTERM.
 * Every child has a deadline: a regression fails the test instead of hanging the suite.
 */
import { describe, it, expect } from "vitest";
import { spawn, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { tmpFiles } from "../helpers/tmp.js";

const BIN = "bin/portmatrix.js";
const KERN = "fixtures/kcps/kern.log";
const INV = "fixtures/kcps/inventory.yaml";

interface Ended { code: number | null; signal: string | null; stderr: string; stdout: string; msAfterSignal: number }

/** True once process `pid` holds `path` open (it is then waiting on it, not still starting up). */
function holdsOpen(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`) === path; } catch { return false; } });
  } catch {
    return false;
  }
}

/**
 * Run the CLI; once it holds `waitOn` open, send `signal`; kill it for good after `deadlineMs`.
 */
function runChild(args: string[], o: { signal?: NodeJS.Signals; waitOn?: string; deadlineMs: number; stdin?: string }): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on("data", (c: Buffer) => { stderr += c.toString(); });
    if (o.stdin !== undefined) child.stdin.end(o.stdin);
    let sentAt = 0;
    if (o.signal && o.waitOn) {
      const poll = setInterval(() => {
        if (!holdsOpen(child.pid!, o.waitOn!)) return;
        clearInterval(poll);
        sentAt = Date.now();
        child.kill(o.signal);
      }, 50);
      child.on("close", () => clearInterval(poll));
    }
    const deadline = setTimeout(() => child.kill("SIGKILL"), o.deadlineMs);
    child.on("close", (code, signal) => {
      clearTimeout(deadline);
      resolve({ code, signal, stderr, stdout, msAfterSignal: sentAt ? Date.now() - sentAt : -1 });
    });
  });
}

describe("the CLI as a process: FIFOs and signals", () => {
  it("has been built (npm test builds dist/ first)", () => {
    expect(existsSync("dist/cli/main.js")).toBe(true);
  });

  const dir = tmpFiles({});
  const fifo = (name: string) => { const p = join(dir, name); execFileSync("mkfifo", [p]); return p; };

  const cases: [name: string, args: (f: string) => string[], signal: NodeJS.Signals, code: number][] = [
    ["events on a FIFO with no writer, SIGTERM", (f) => ["events", f, KERN], "SIGTERM", 143],
    ["events on a FIFO with no writer, SIGINT", (f) => ["events", f], "SIGINT", 130],
    ["check with a FIFO with no writer as the inventory, SIGTERM", (f) => ["check", "-r", "kcps-file-server", "-i", f, KERN], "SIGTERM", 143],
    ["check with a FIFO with no writer as the inventory, SIGINT", (f) => ["check", "-r", "kcps-file-server", "-i", f, KERN], "SIGINT", 130],
    ["check with a FIFO with no writer as an input, SIGTERM", (f) => ["check", "-r", "kcps-file-server", "-i", INV, f], "SIGTERM", 143],
  ];
  cases.forEach(([name, args, signal, code], n) => {
    it(`${name}: ends within a second of the signal, status ${code}`, async () => {
      const f = fifo(`fifo-${n}`);
      const r = await runChild(args(f), { signal, waitOn: f, deadlineMs: 15_000 });
      expect(r.signal).toBeNull();
      expect(r.code).toBe(code);
      expect(r.msAfterSignal).toBeGreaterThanOrEqual(0);
      expect(r.msAfterSignal).toBeLessThan(1000);
      expect(r.stderr).toMatch(/interrupted/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });

  it("a FIFO input nobody writes to is an error naming it after 10 s, and the other inputs are read", async () => {
    const f = fifo("silent");
    const r = await runChild(["events", f, KERN], { deadlineMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/silent: is a FIFO \(named pipe\) and no program wrote to it within 10 s/);
    expect(r.stderr).toMatch(/kern\.log \(netfilter\): 18 read, 18 used/);
    expect(r.stdout.trim().split("\n")).toHaveLength(18);
  }, 30_000);

  it("reads standard input from a pipe with `-`", async () => {
    const { readFileSync } = await import("node:fs");
    const r = await runChild(["events", "-"], { deadlineMs: 15_000, stdin: readFileSync(KERN, "utf8") });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(18);
  });

  it("refuses /dev/zero as the inventory at once, on one line, exit 2", async () => {
    const r = await runChild(["check", "-r", "kcps-file-server", "-i", "/dev/zero", KERN], { deadlineMs: 15_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("portmatrix: /dev/zero: cannot read inventory: it is a character device, not a file\n");
  });
});
