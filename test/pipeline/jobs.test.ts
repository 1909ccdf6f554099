import { describe, it, expect } from "vitest";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { contiguousRuns } from "../../src/pipeline/parallel.js";
import { jobsFor } from "../../src/pipeline/check.js";

// Worker threads run the compiled worker (dist/pipeline/check-worker.js): `npm test` builds it first.

/** The JSON report of `check` with these arguments, without the moment it was written. */
async function report(args: string[]): Promise<{ code: number; json: string; stderr: string }> {
  const r = await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json", ...args]);
  return { code: r.code, json: r.stdout.replace(/"generatedAt": "[^"]*"/, ""), stderr: r.stderr };
}

describe("check --jobs", () => {
  const dir = tmpFiles({
    "kern.log.gz": gzipSync(readFileSync("fixtures/kcps/kern.log")),
    "not-a-log.txt": "hello\nworld\n",
  });
  const inputs = [
    "fixtures/kcps/kern.log",
    "fixtures/kcps/journal-short.log",
    join(dir, "kern.log.gz"),
    "fixtures/pcap/lab/any-sll.pcap",
    "fixtures/kcps/kern-rfc3339.log",
    join(dir, "not-a-log.txt"),
    "fixtures/pcap/lab/multi.pcapng",
    "fixtures/kcps/dmesg.log",
  ];

  it("writes the same report with worker threads as in one thread", async () => {
    const one = await report(["--jobs", "1", ...inputs]);
    expect(one.stderr).toContain("not a known format");
    for (const jobs of ["2", "3", "8"]) {
      const many = await report(["--jobs", jobs, ...inputs]);
      expect(many.code).toBe(one.code);
      expect(many.stderr).toBe(one.stderr);
      expect(many.json).toBe(one.json);
    }
  });

  it("rejects a --jobs that is not a positive number", async () => {
    const r = await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--jobs", "0", "fixtures/kcps/kern.log"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--jobs 0/);
  });

  it("uses one thread for one input, for standard input, and for small inputs unless told", () => {
    expect(jobsFor(["a"], 4)).toBe(1);
    expect(jobsFor(["fixtures/kcps/kern.log", "-"], 4)).toBe(1);
    expect(jobsFor(["fixtures/kcps/kern.log", "fixtures/kcps/dmesg.log"], undefined)).toBe(1);
    expect(jobsFor(["fixtures/kcps/kern.log", "fixtures/kcps/dmesg.log"], 2)).toBe(2);
    expect(jobsFor(["fixtures/kcps/kern.log", "fixtures/kcps/dmesg.log"], 8)).toBe(2);
  });

  it("cuts the inputs into contiguous runs of about equal size, none empty", () => {
    expect(contiguousRuns([10, 10, 10, 10], 2)).toEqual([[0, 1], [2, 3]]);
    expect(contiguousRuns([100, 1, 1, 1], 2)).toEqual([[0], [1, 2, 3]]);
    expect(contiguousRuns([1, 1, 1, 100], 2)).toEqual([[0, 1, 2], [3]]);
    expect(contiguousRuns([5, 5, 5], 3)).toEqual([[0], [1], [2]]);
    expect(contiguousRuns([0, 0, 0, 0, 0], 2)).toEqual([[0, 1, 2], [3, 4]]);
    for (const sizes of [[3, 1, 4, 1, 5, 9, 2, 6], [1], [7, 7], [0, 50, 0, 0, 1]]) {
      for (let jobs = 1; jobs <= sizes.length; jobs++) {
        const runs = contiguousRuns(sizes, jobs);
        expect(runs).toHaveLength(jobs);
        expect(runs.flat()).toEqual(sizes.map((_, i) => i));
        for (const r of runs) expect(r.length).toBeGreaterThan(0);
      }
    }
  });
});
