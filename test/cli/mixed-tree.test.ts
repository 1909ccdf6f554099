import { describe, it, expect } from "vitest";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { parseReport } from "../helpers/report.js";

/**
 * An auditor's archive: several formats, gzip, nested folders, some lines corrupted, one file in no
 * known format. Every file is read as its own format, every line is used or skipped with a reason,
 * and the file nobody can read is named without stopping the others.
 */
function sekoiaLines(dir: string, n: number): string {
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().slice(0, n)
    .map((f) => (JSON.parse(readFileSync(join(dir, f), "utf8")) as { input: { message: string } }).input.message)
    .filter((m) => !m.includes("\n")).join("\n") + "\n";
}

describe("a mixed archive tree", () => {
  it("reads each file as its own format and accounts for every line", async () => {
    const root = tmpFiles({});
    mkdirSync(join(root, "2026-10", "fw"), { recursive: true });
    mkdirSync(join(root, "2026-11"), { recursive: true });
    const kern = readFileSync("fixtures/kcps/kern.log", "utf8");
    const corrupted = kern.split("\n").map((l, i) => (i === 3 ? l.slice(0, 60) : i === 5 ? l.replace(/SRC=\S+/, "SRC=10.99.1.999") : l)).join("\n");
    writeFileSync(join(root, "2026-10", "fw", "kern.log.1.gz"), gzipSync(corrupted));
    writeFileSync(join(root, "2026-10", "pfirewall.log"), readFileSync("fixtures/logs/windows-firewall/plaso/firewall.log"));
    writeFileSync(join(root, "2026-11", "panos.log"), sekoiaLines("fixtures/logs/panos/sekoia-intake-formats", 30) + "garbage,that,is,not,panos\n");
    writeFileSync(join(root, "2026-11", "fortigate.log.gz"), gzipSync(sekoiaLines("fixtures/logs/fortigate/sekoia-intake-formats", 30)));
    writeFileSync(join(root, "2026-11", "conn.log"), readFileSync("fixtures/logs/zeek-conn/zeek/Files.zeek-cut-logs.conn.log"));
    writeFileSync(join(root, "2026-11", "notes.bin"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]));
    // Only kern.log is traffic of the inventory's hosts; the other formats' samples come from other
    // networks, so they would each fail the run as "nothing checked" without --allow-empty.
    const r = await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--allow-empty", "--format", "json", root]);
    expect(r.code).toBe(2);
    const rep = parseReport(r.stdout);
    const by = Object.fromEntries(rep.inputs.map((i) => [i.path.slice(root.length + 1), i]));
    expect(Object.fromEntries(Object.entries(by).map(([k, i]) => [k, [i.format, i.compressed]]))).toEqual({
      "2026-10/fw/kern.log.1.gz": ["netfilter", true],
      "2026-10/pfirewall.log": ["windows-firewall", false],
      "2026-11/conn.log": ["zeek-conn", false],
      "2026-11/fortigate.log.gz": ["fortigate", true],
      "2026-11/notes.bin": ["unknown", false],
      "2026-11/panos.log": ["panos", false],
    });
    for (const [k, i] of Object.entries(by)) {
      expect(i.records.read, k).toBe(i.records.used + i.records.skipped);
      expect(Object.values(i.skippedByReason).reduce((a, b) => a + b, 0), k).toBe(i.records.skipped);
    }
    const nf = by["2026-10/fw/kern.log.1.gz"]!;
    expect(nf.records).toEqual({ read: 18, used: 16, skipped: 2 });
    expect(nf.skippedSamples.map((s) => [s.line, s.reason])).toEqual([[4, "not-netfilter"], [6, "bad-address"]]);
    expect(by["2026-11/panos.log"]!.skippedByReason["not-panos"]).toBe(1);
    expect(by["2026-11/panos.log"]!.skippedByReason["not-traffic:threat"]).toBe(3);
    expect(by["2026-11/notes.bin"]!.error).toMatch(/notes\.bin: not a known format .*tried netflow, pcap, pcapng, netfilter/);
    // One error (the unknown format); the inputs --allow-empty accepted are noted, each on one line.
    const lines = r.stderr.trim().split("\n");
    expect(lines.filter((l) => !l.endsWith("(accepted: --allow-empty)"))).toHaveLength(1);
    expect(lines.filter((l) => /: none of its \d+ flow records has both ends in the inventory/.test(l))).toHaveLength(4);
    expect(rep.checked.problems.map((p) => [p.code, p.fatal])).toEqual([
      ["no-classified-flows", false], ["no-classified-flows", false], ["no-classified-flows", false], ["input-error", true], ["no-classified-flows", false],
    ]);
    expect(rep.totals.records.read).toBe(rep.inputs.reduce((n, i) => n + i.records.read, 0));
  });
});
