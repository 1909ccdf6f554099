import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";

/**
 * Standard output that cannot be written (a full disk: /dev/full) loses the result: one line says so
 * and the status is 2, even with --fail-on none; never a stack trace. A closed pipe stays quiet, 0.
 */
const BASE = ["-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"];

function toDevFull(args: string[]): { status: number | null; stderr: string } {
  const fd = openSync("/dev/full", "w");
  try {
    const r = spawnSync("node", ["bin/portmatrix.js", ...args], { stdio: ["ignore", fd, "pipe"], encoding: "utf8" });
    return { status: r.status, stderr: r.stderr };
  } finally {
    closeSync(fd);
  }
}

describe("standard output on a full disk", () => {
  it("/dev/full exists (Linux)", () => {
    expect(existsSync("/dev/full")).toBe(true);
  });
  it.each([
    ["check, text, --fail-on none", ["check", ...BASE, "--fail-on", "none", "fixtures/kcps/kern.log"]],
    ["check, JSON", ["check", ...BASE, "-f", "json", "fixtures/kcps/kern.log"]],
    ["why", ["why", "10.99.1.200", ...BASE, "fixtures/kcps/kern.log"]],
    ["rules show", ["rules", "show", "kcps-file-server"]],
    ["events", ["events", "fixtures/kcps/kern.log"]],
  ])("%s: exit 2 and one line naming the error", (_what, args) => {
    const r = toDevFull(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("portmatrix: cannot write to standard output: ENOSPC (no space left on device)\n");
    expect(r.stderr).not.toMatch(/\n\s+at |Error:|node:internal/);
  });
});
