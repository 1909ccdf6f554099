import { describe, it, expect } from "vitest";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";

const KERN = readFileSync("fixtures/kcps/kern.log", "utf8");
const lines = KERN.trimEnd().split("\n");
const many = Array.from({ length: 30_000 }, (_, i) => lines[i % lines.length]).join("\n") + "\n";
const INV = "fixtures/kcps/inventory.yaml";

/** The CLI in-process, failed if it does not finish (the old gzip feeder could leave it pending). */
async function cli(args: string[]) {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`portmatrix ${args.join(" ")} did not finish`)), 20_000); });
  try {
    return await Promise.race([runCli(args), hang]);
  } finally {
    clearTimeout(timer);
  }
}

describe("inputs as a user gives them: every record before a fault is read, the fault is one line, exit 2", () => {
  const dir = tmpFiles({
    "t.gz": Buffer.concat([gzipSync(many), Buffer.from("xyz")]),
    "small.gz": Buffer.concat([gzipSync(KERN), Buffer.from("x")]),
    "inv.yaml": readFileSync(INV),
  });

  it("events on a gzip with trailing bytes prints all 30,000 events and names the offset", async () => {
    const r = await cli(["events", join(dir, "t.gz")]);
    expect(r.stdout.trim().split("\n")).toHaveLength(30_000);
    expect(r.stderr).toMatch(/t\.gz: byte offset \d+: data that is not gzip .*after the last gzip member/);
    expect(r.stderr).toMatch(/t\.gz \(netfilter\): 30000 read, 30000 used, 0 skipped/);
    expect(r.code).toBe(2);
  });

  it("the same with --input-format forced", async () => {
    const r = await cli(["events", "--input-format", "netfilter", join(dir, "t.gz")]);
    expect(r.stdout.trim().split("\n")).toHaveLength(30_000);
    expect(r.code).toBe(2);
  });

  it("a gzip under 64 KiB with one trailing byte loses no record", async () => {
    const r = await cli(["events", join(dir, "small.gz")]);
    expect(r.stdout.trim().split("\n")).toHaveLength(18);
    expect(r.stderr).toMatch(/small\.gz \(netfilter\): 18 read, 18 used/);
  });

  it("check counts the records before the fault and says so in the report", async () => {
    const r = await cli(["check", "-r", "kcps-file-server", "-i", INV, "--format", "json", join(dir, "small.gz")]);
    const report = JSON.parse(r.stdout) as { inputs: { records: { used: number }; error: string | null }[] };
    expect(report.inputs[0]!.records.used).toBe(18);
    expect(report.inputs[0]!.error).toMatch(/after the last gzip member/);
    expect(r.code).toBe(2);
  });

  it("why on a gzip with trailing bytes gives its verdict (it used to end with no output at all)", async () => {
    const r = await cli(["why", "10.99.1.200", "-r", "kcps-file-server", "-i", INV, join(dir, "t.gz")]);
    expect(r.stdout).toMatch(/^Verdict: likely cause: winrm-admin-pc-to-kcps-fs/m);
    expect(r.stderr).toMatch(/t\.gz: byte offset \d+: data that is not gzip/);
  });

  it("reads the compressed and UTF-16 fixtures made by the real tools, all in one run", async () => {
    const files = ["kern.log.bz2", "kern.log.xz", "kern.log.zst", "kern.log.gz.gz", "kern.utf16le.log", "kern.cr.log"].map((f) => join("fixtures/encodings", f));
    const r = await cli(["events", ...files]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(18 * files.length);
  });
});
