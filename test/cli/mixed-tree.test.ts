import { describe, it, expect } from "vitest";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runCli } from "../helpers/cli.js";
import { knownFormats } from "../../src/pipeline/formats.js";
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
    expect(by["2026-11/notes.bin"]!.error).toMatch(/notes\.bin: not a known format \(it starts with bytes 7f454c46\); not read: use --input-format to force one, or --exclude '\*\.bin' to leave such files out of a directory$/);
    // One error (the unknown format), then the list of formats once; the inputs --allow-empty accepted are noted, each on one line.
    const lines = r.stderr.trim().split("\n");
    expect(lines.filter((l) => !l.endsWith("(accepted: --allow-empty)"))).toHaveLength(2);
    expect(lines[lines.length - 1]).toBe(`portmatrix: the formats portmatrix reads (detected from the content): ${knownFormats().join(", ")}`);
    expect(lines.filter((l) => /: none of its \d+ flow records has both ends in the inventory/.test(l))).toHaveLength(4);
    expect(rep.checked.problems.map((p) => [p.code, p.fatal])).toEqual([
      ["no-classified-flows", false], ["no-classified-flows", false], ["no-classified-flows", false], ["input-error", true], ["no-classified-flows", false],
    ]);
    expect(rep.totals.records.read).toBe(rep.inputs.reduce((n, i) => n + i.records.read, 0));
  });

  describe("notes beside the logs: README, *.md", () => {
    const tree = () => {
      const root = tmpFiles({});
      mkdirSync(join(root, "fw", "old"), { recursive: true });
      writeFileSync(join(root, "README"), "Firewall logs of the KCPS lab, copied 2026-11-23.\n");
      writeFileSync(join(root, "notes.md"), "# Notes\n\nThe router drops 139.\n");
      writeFileSync(join(root, "fw", "kern.log"), readFileSync("fixtures/kcps/kern.log"));
      writeFileSync(join(root, "fw", "CHANGES.md"), "- moved the logs\n");
      writeFileSync(join(root, "fw", "old", "kern.log"), readFileSync("fixtures/kcps/kern.log"));
      return root;
    };
    const base = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"];

    it("are not skipped silently: each is named with the --exclude that leaves it out, the formats listed once, and the Result line keeps the count", async () => {
      const root = tree();
      const r = await runCli([...base, root]);
      expect(r.code).toBe(2);
      const err = r.stderr.trim().split("\n");
      expect(err).toEqual([
        `portmatrix: ${join(root, "README")}: not a known format (its first line is "Firewall logs of the KCPS lab, copied 2026-11-23."); not read: use --input-format to force one, or --exclude 'README' to leave such files out of a directory`,
        `portmatrix: ${join(root, "fw", "CHANGES.md")}: not a known format (its first line is "- moved the logs"); not read: use --input-format to force one, or --exclude '*.md' to leave such files out of a directory`,
        `portmatrix: ${join(root, "notes.md")}: not a known format (its first line is "# Notes"); not read: use --input-format to force one, or --exclude '*.md' to leave such files out of a directory`,
        expect.stringMatching(/^portmatrix: the formats portmatrix reads/),
      ]);
      expect(r.stdout).toMatch(/\nResult: not a complete check \(an input could not be read\); 5 violations in what was read \(exit 2\)\n$/);
    });

    it("--exclude leaves them out (by name or by path below the directory, directories too); --include reads only what matches", async () => {
      const root = tree();
      const json = async (...flags: string[]) => {
        const r = await runCli([...base, "--format", "json", ...flags, root]);
        return { code: r.code, stderr: r.stderr, paths: parseReport(r.stdout).inputs.map((i) => i.path.slice(root.length + 1)) };
      };
      expect(await json("--exclude", "*.md", "--exclude", "README")).toEqual({ code: 1, stderr: "", paths: ["fw/kern.log", "fw/old/kern.log"] });
      expect((await json("--exclude", "*.md", "--exclude", "README", "--exclude", "old")).paths).toEqual(["fw/kern.log"]);
      expect((await json("--exclude", "**/*.md", "--exclude", "README", "--exclude", "fw/old/**")).paths).toEqual(["fw/kern.log"]);
      expect((await json("--include", "*.log")).paths).toEqual(["fw/kern.log", "fw/old/kern.log"]);
      expect((await json("--include", "fw/*.log")).paths).toEqual(["fw/kern.log"]);
      // A file named on the command line is read whatever the patterns say.
      const named = await runCli([...base, "--format", "json", "--exclude", "*.log", join(root, "fw", "kern.log")]);
      expect(parseReport(named.stdout).inputs).toHaveLength(1);
      const none = await runCli([...base, "--include", "*.pcap", root]);
      expect(none.code).toBe(2);
      expect(none.stderr).toBe("portmatrix: no input files found in the given paths (after --include and --exclude)\n");
      const bad = await runCli([...base, "--exclude", "fw[", root]);
      expect(bad.stderr).toMatch(/^portmatrix: --exclude fw\[: the "\[" at character 3 is never closed/);
      const ev = await runCli(["events", "--include", "kern.log", "--exclude", "old", root]);
      expect(ev.stderr).toBe(`${join(root, "fw", "kern.log")} (netfilter): 18 read, 18 used, 0 skipped\n`);
    });
  });
});
