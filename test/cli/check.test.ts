import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runCli } from "../helpers/cli.js";
import { knownFormats } from "../../src/pipeline/formats.js";
import { tmpFiles } from "../helpers/tmp.js";
import type { Report } from "../../src/report/types.js";
import { parseReport } from "../helpers/report.js";

const INV = "fixtures/kcps/inventory.yaml";
const KERN = "fixtures/kcps/kern.log";
const base = ["check", "--ruleset", "kcps-file-server", "--inventory", INV];

interface Flow { src: string; dst: string; protocol: string; port: number | null; expectVerdict: string }
const flows = JSON.parse(readFileSync("fixtures/kcps/flows.json", "utf8")) as Flow[];

function verdictSet(r: Report): string[] {
  return [...new Set(r.findings.map((f) => `${f.verdict} ${f.src} ${f.dst} ${f.protocol} ${f.port ?? "-"}`))].sort();
}

describe("portmatrix check on the lab's real firewall log", () => {
  it("gives every flow the verdict the lab expects, and exits 1 on violations", async () => {
    const r = await runCli([...base, "--format", "json", KERN]);
    expect(r.code).toBe(1);
    const rep = parseReport(r.stdout);
    expect(rep.schema).toBe("portmatrix/report/v1");
    for (const f of flows) {
      const hit = rep.findings.find((x) => x.src === f.src && x.dst === f.dst && x.protocol === f.protocol && (x.port ?? null) === (f.protocol === "icmp" ? null : f.port));
      expect(hit, `${f.src} -> ${f.dst} ${f.protocol} ${f.port}`).toBeDefined();
      expect(hit!.verdict, `${f.src} -> ${f.dst} ${f.protocol} ${f.port}`).toBe(f.expectVerdict);
    }
    expect(rep.summary["blocked-required"]).toBeGreaterThan(0);
    expect(rep.summary["allowed-unexpected"]).toBeGreaterThan(0);
  });

  it("reads the same verdicts from the raw ring buffer, rsyslog RFC 3339 and journalctl forms", async () => {
    const ref = verdictSet(parseReport((await runCli([...base, "--format", "json", KERN])).stdout));
    for (const f of ["dmesg.log", "kern-rfc3339.log", "journal-short.log", "journal-short-monotonic.log"]) {
      const r = parseReport((await runCli([...base, "--format", "json", join("fixtures/kcps", f)])).stdout);
      expect(verdictSet(r), f).toEqual(ref);
      expect(r.inputs[0]!.format).toBe("netfilter");
    }
  });

  it("accounts for every record: read = used + skipped, by reason", async () => {
    const dir = tmpFiles({ "mixed.log": readFileSync(KERN, "utf8") + "garbage line\n\nNov 23 09:11:01 pmlab-fw kernel: pmlab-kcps DROP IN=a OUT=b SRC=10.99.1.100 DST=10.99.2.10 LEN=1 PROTO=TCP SPT=1\n" });
    const rep = parseReport((await runCli([...base, "--format", "json", join(dir, "mixed.log")])).stdout);
    const i = rep.inputs[0]!;
    expect(i.records.read).toBe(i.records.used + i.records.skipped);
    expect(i.skippedByReason).toEqual({ blank: 1, "missing-port": 1, "not-netfilter": 1 });
    expect(i.skippedSamples.map((s) => s.line)).toEqual([19, 20, 21]);
    expect(rep.totals.records.read).toBe(21);
  });

  it("prints a terminal summary with violations first and no colour when not a TTY", async () => {
    const r = await runCli([...base, KERN]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    const firstBlocked = r.stdout.indexOf("blocked-required");
    expect(firstBlocked).toBeGreaterThan(0);
    expect(firstBlocked).toBeLessThan(r.stdout.indexOf("allowed-unexpected"));
    expect(r.stdout).toMatch(/file-share-client -> kcps-fs {2}tcp\/139 \(netbios-ssn\) {2}rule netbios-client-to-kcps-fs/);
  });

  it("--fail-on decides which verdicts fail: none gives exit 0, unobserved-required can fail", async () => {
    expect((await runCli([...base, "--fail-on", "none", KERN])).code).toBe(0);
    expect((await runCli([...base, "--fail-on", "blocked-unexpected", "--scenario", "trust", KERN])).code).toBe(1);
    const clean = tmpFiles({ "ok.log": readFileSync(KERN, "utf8").split("\n").filter((l) => / DPT=445 /.test(l) && /ACCEPT/.test(l)).join("\n") + "\n" });
    expect((await runCli([...base, join(clean, "ok.log")])).code).toBe(0);
    expect((await runCli([...base, "--fail-on", "unobserved-required", join(clean, "ok.log")])).code).toBe(1);
    expect((await runCli([...base, "--fail-on", "bogus", KERN])).stderr).toMatch(/--fail-on bogus: unknown verdict/);
  });

  it("reads gzip transparently and whole directories recursively, and says which format each file was read as", async () => {
    const dir = tmpFiles({ "a.log.gz": gzipSync(readFileSync(KERN)), "b.log": readFileSync("fixtures/kcps/dmesg.log") });
    const rep = parseReport((await runCli([...base, "--format", "json", dir])).stdout);
    expect(rep.inputs.map((i) => [i.path.endsWith("a.log.gz"), i.format, i.compressed])).toEqual([[true, "netfilter", true], [false, "netfilter", false]]);
    expect(rep.inputs[0]!.records.used).toBe(18);
  });

  it("a --set variable override changes the matrix", async () => {
    const r = await runCli([...base, "--set", "trust_direction=two-way", "--format", "json", KERN]);
    const rep = parseReport(r.stdout);
    expect(rep.ruleset.variables.trust_direction).toEqual({ value: "two-way", origin: "command line" });
    expect(rep.coverage.some((c) => c.rule.endsWith("-mirrored"))).toBe(true);
    expect((await runCli([...base, "--set", "trust_direction=three-way", KERN])).stderr).toMatch(/trust_direction "three-way" is not one of one-way, two-way/);
  });

  it("writes --output whole (temporary name, then rename)", async () => {
    const dir = tmpFiles({});
    const out = join(dir, "report.json");
    const r = await runCli([...base, "--format", "json", "--output", out, KERN]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect((parseReport(readFileSync(out, "utf8"))).schema).toBe("portmatrix/report/v1");
  });
});

describe("the shipped ruleset's port ranges, end to end", () => {
  it("RPC dynamic ports 49152-65535: both ends are required, the port below is not", async () => {
    const line = (dpt: number) => `Nov 23 09:11:01 fw kernel: pmlab ACCEPT IN=a OUT=b SRC=10.99.1.100 DST=10.99.2.10 LEN=60 PROTO=TCP SPT=50000 DPT=${dpt} WINDOW=1 SYN URGP=0`;
    const dir = tmpFiles({ "x.log": [49151, 49152, 65535].map(line).join("\n") + "\n" });
    const rep = parseReport((await runCli([...base, "--format", "json", join(dir, "x.log")])).stdout);
    const at = (port: number) => rep.findings.filter((f) => f.port === port).map((f) => `${f.verdict} ${f.rule ?? "-"}`);
    expect(at(65535)).toEqual(["allowed-required rpc-client-to-kcps-fs"]);
    expect(at(49152)).toEqual(["allowed-required rpc-client-to-kcps-fs"]);
    expect(at(49151)).toEqual(["allowed-unexpected -"]);
  });
});

describe("verdicts that need the inventory and the prefix", () => {
  it("an address outside the inventory is unclassified; a prefix with no action word is inconclusive", async () => {
    const line = (prefix: string, src: string) => `Nov 23 09:11:01 fw kernel: ${prefix} IN=a OUT=b SRC=${src} DST=10.99.2.10 LEN=60 PROTO=TCP SPT=50000 DPT=445 WINDOW=1 SYN URGP=0\n`;
    const dir = tmpFiles({ "v.log": line("fw-ACCEPT", "192.0.2.7") + line("fw-LOGGED", "10.99.1.100") + line("fw-LOGGED", "10.99.1.100") });
    const rep = parseReport((await runCli([...base, "--format", "json", join(dir, "v.log")])).stdout);
    expect(rep.findings.map((f) => [f.verdict, f.src, f.srcRole, f.count])).toEqual([
      ["inconclusive", "10.99.1.100", "file-share-client", 2],
      ["unclassified", "192.0.2.7", null, 1],
    ]);
    const mapped = parseReport((await runCli([...base, "--format", "json", "--action-map", "LOGGED=blocked", join(dir, "v.log")])).stdout);
    expect(mapped.findings[0]).toMatchObject({ verdict: "blocked-required", rule: "smb-client-to-kcps-fs" });
  });

  it("colours the terminal report only on a TTY, and never with NO_COLOR", async () => {
    const { main } = await import("../../src/cli/main.js");
    const run = async (tty: boolean, env: NodeJS.ProcessEnv) => {
      let out = "";
      await main([...base, KERN], { stdout: (s) => { out += s; }, stderr: () => {}, stdoutIsTTY: tty, stderrIsTTY: tty, env });
      return out;
    };
    expect(await run(true, {})).toMatch(/\x1b\[31;1m/);
    expect(await run(true, { NO_COLOR: "1" })).not.toMatch(/\x1b\[/);
    expect(await run(false, {})).not.toMatch(/\x1b\[/);
  });
});

describe("clear errors, exit 2", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown ruleset", ["check", "--ruleset", "nope", "--inventory", INV, KERN], /^portmatrix: unknown ruleset "nope"; shipped rulesets: kcps-file-server, skydiv-desktop-client/],
    ["missing input", ["check", "--ruleset", "kcps-file-server", "--inventory", INV, "no/such.log"], /^portmatrix: no\/such\.log: no such file or directory/],
    ["unknown scenario", ["check", "--ruleset", "kcps-file-server", "--inventory", INV, "--scenario", "brows", KERN], /unknown scenario "brows"/],
    ["unknown variable", ["check", "--ruleset", "kcps-file-server", "--inventory", INV, "--set", "https_port=1", KERN], /unknown variable "https_port" for ruleset kcps-file-server/],
    ["bad --input-format", ["check", "--ruleset", "kcps-file-server", "--inventory", INV, "--input-format", "pf", KERN], /--input-format pf: unknown format/],
  ];
  for (const [name, args, re] of cases) {
    it(name, async () => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    });
  }

  it("YAML error in the inventory with line:col, unknown role, bad CIDR", async () => {
    const dir = tmpFiles({ "a.yaml": "roles:\n  kcps-fs: [10.0.0.1\n", "b.yaml": "roles:\n  kcps-fs-dc: [10.0.0.1]\n", "c.yaml": "roles:\n  kcps-fs: [10.0.0.0/40]\n" });
    const a = await runCli(["check", "-r", "kcps-file-server", "-i", join(dir, "a.yaml"), KERN]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/a\.yaml:\d+:\d+: YAML error/);
    const b = await runCli(["check", "-r", "kcps-file-server", "-i", join(dir, "b.yaml"), KERN]);
    expect(b.stderr).toMatch(/b\.yaml:2:3: unknown role "kcps-fs-dc"; did you mean "kcps-fs-ad", "kcps-fs-dns" or "kcps-fs"\? known roles: kcps-fs, kcps-fs-ad/);
    const c = await runCli(["check", "-r", "kcps-file-server", "-i", join(dir, "c.yaml"), KERN]);
    expect(c.stderr).toMatch(/c\.yaml:2:13: bad address: "10\.0\.0\.0\/40": prefix length must be 0\.\.32/);
  });

  it("names every inventory problem in one run, one line each, then how many", async () => {
    const dir = tmpFiles({ "inv.yaml": "roles:\n  kcps-fs: [10.0.0.300]\n  kcps-fs-dc: [10.0.0.2]\n  file-share-client: [10.0.1.0/33]\n" });
    const r = await runCli(["check", "-r", "kcps-file-server", "-i", join(dir, "inv.yaml"), KERN]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/inv\.yaml:2:13: bad address: "10\.0\.0\.300"/);
    expect(lines[1]).toMatch(/inv\.yaml:3:3: unknown role "kcps-fs-dc"; did you mean "kcps-fs-ad"/);
    expect(lines[2]).toMatch(/inv\.yaml:4:23: bad address: "10\.0\.1\.0\/33": prefix length must be 0\.\.32/);
    expect(lines[3]).toBe("portmatrix: 3 problems; nothing was checked");
  });

  it("warns on stderr about a prefix inside a prefix of other roles, and still checks; the shipped inventory warns of nothing", async () => {
    const inv = readFileSync("fixtures/kcps/inventory.yaml", "utf8") + "  kcps-fs-dns: [10.99.2.53, 10.99.1.128/25]\n";
    const dir = tmpFiles({ "inv.yaml": inv.replace(/^ {2}kcps-fs-dns: \[10\.99\.2\.53\]\n/m, "") });
    const r = await runCli(["check", "-r", "kcps-file-server", "-i", join(dir, "inv.yaml"), KERN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^portmatrix: warning: .*inv\.yaml:\d+:\d+: 10\.99\.1\.128\/25 \(kcps-fs-dns\) lies inside 10\.99\.1\.0\/24 \(file-share-client, .*inv\.yaml:6:\d+\): the longest prefix wins, so addresses in 10\.99\.1\.128\/25 hold only kcps-fs-dns, not file-share-client/);
    expect(r.stdout).toMatch(/Result: /);
    expect((await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", KERN])).stderr).toBe("");
  });

  it("with -o only, the Result line goes to stderr (not with --quiet); it keeps the violation count when an input fails", async () => {
    const dir = tmpFiles({ "notes.txt": "Dear firewall team,\nplease open port 445.\n" });
    const base = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", KERN];
    const o = await runCli([...base, "-o", join(dir, "r.json")]);
    expect(o.code).toBe(1);
    expect(o.stdout).toBe("");
    expect(o.stderr).toBe("Result: 5 violations (fail-on: blocked-required, allowed-unexpected) (exit 1)\n");
    expect((await runCli([...base, "-q", "-o", join(dir, "q.json")])).stderr).toBe("");
    expect((await runCli([...base, "-o", join(dir, "a.json"), "-o", join(dir, "a.md"), "--format", "text"])).stderr).toBe("");
    const bad = await runCli([...base, join(dir, "notes.txt")]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/\nResult: not a complete check \(an input could not be read\); 5 violations in what was read \(exit 2\)\n$/);
    // Written to files only, the same line goes to stderr.
    const badO = await runCli([...base, join(dir, "notes.txt"), "-o", join(dir, "bad.json")]);
    expect(badO.stderr).toMatch(/\nResult: not a complete check \(an input could not be read\); 5 violations in what was read \(exit 2\)\n$/);
    // The Markdown for a pull request says both too.
    await runCli([...base, join(dir, "notes.txt"), "-o", join(dir, "bad.md")]);
    expect(readFileSync(join(dir, "bad.md"), "utf8")).toMatch(/^Result: \*\*not a complete check\*\* \(an input could not be read\); 5 violations in what was read \(fail-on: /m);
  });

  it("an unreadable file, a file of another format and a truncated gzip are named; the other inputs are still read", async () => {
    const gz = gzipSync(readFileSync(KERN));
    const dir = tmpFiles({
      "1-good.log": readFileSync(KERN),
      "2-binary.bin": Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]),
      "3-cut.log.gz": gz.subarray(0, gz.length - 20),
      "4-prose.txt": "Dear firewall team,\nplease open port 445.\n",
      "5-locked.log": readFileSync(KERN),
    });
    const { chmodSync, symlinkSync } = await import("node:fs");
    chmodSync(join(dir, "5-locked.log"), 0o000);
    symlinkSync(join(dir, "gone.log"), join(dir, "6-dangling.log"));
    const r = await runCli([...base, "--format", "json", dir]);
    expect(r.code).toBe(2);
    const rep = parseReport(r.stdout);
    expect(rep.exitCode).toBe(2);
    const byName = Object.fromEntries(rep.inputs.map((i) => [i.path.split("/").pop(), i]));
    expect(byName["1-good.log"]!.records.used).toBe(18);
    expect(byName["2-binary.bin"]!.error).toBe(`${join(dir, "2-binary.bin")}: not a known format (it starts with bytes 7f454c46); not read: use --input-format to force one, or --exclude '*.bin' to leave such files out of a directory`);
    expect(byName["3-cut.log.gz"]!.error).toMatch(/3-cut\.log\.gz: byte offset \d+: truncated gzip/);
    expect(byName["4-prose.txt"]!.error).toMatch(/4-prose\.txt: not a known format \(its first line is "Dear firewall team,"\)/);
    if (process.getuid?.() !== 0) expect(byName["5-locked.log"]!.error).toMatch(/5-locked\.log: permission denied/);
    expect(byName["6-dangling.log"]!.error).toMatch(/6-dangling\.log: no such file/);
    const lines = r.stderr.trim().split("\n");
    for (const l of lines) expect(l).toMatch(/^portmatrix: /);
    // Two inputs in no known format: the list of formats once, after the errors.
    expect(lines.filter((l) => l.includes("netfilter"))).toEqual([`portmatrix: the formats portmatrix reads (detected from the content): ${knownFormats().join(", ")}`]);
    expect(lines[lines.length - 1]).toMatch(/^portmatrix: the formats portmatrix reads/);
  });
});

describe("rules commands", () => {
  it("rules list shows both rulesets, their scenarios and roles", async () => {
    const r = await runCli(["rules", "list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kcps-file-server[\s\S]*scenarios: trust, browse, acl, remote-ops, capacity[\s\S]*roles: kcps-fs, kcps-fs-ad/);
    expect(r.stdout).toMatch(/skydiv-desktop-client[\s\S]*scenarios: sbc, vdi, linux, db-redundancy, internet, sbc-replicated/);
  });
  it("rules list gives the count of rules that rules show lists, where variables add some", async () => {
    const list = (await runCli(["rules", "list"])).stdout;
    for (const id of ["kcps-file-server", "skydiv-desktop-client"]) {
      const shown = (await runCli(["rules", "show", id, "--format", "csv"])).stdout.trim().split("\n").length - 1;
      const line = list.slice(list.indexOf(`${id}  `)).split("\n")[1]!;
      expect(line, id).toMatch(new RegExp(`; (${shown} rules$|\\d+ rules, ${shown} with the default variables \\(rules show lists them\\)$)`));
    }
  });
  it("rules show renders markdown, csv and json, filtered by scenario and role", async () => {
    const md = await runCli(["rules", "show", "kcps-file-server", "--format", "md"]);
    expect(md.stdout).toMatch(/^# KCPS file server/);
    expect(md.stdout.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| rule"))).toHaveLength(44);
    const csv = await runCli(["rules", "show", "kcps-file-server", "--format", "csv", "--scenario", "remote-ops"]);
    expect(csv.stdout.trim().split("\n").slice(1).map((l) => l.split(",")[0])).toEqual(expect.arrayContaining(["winrm-admin-pc-to-kcps-fs"]));
    const js = JSON.parse((await runCli(["rules", "show", "skydiv-desktop-client", "--format", "json", "--role", "sql-server"])).stdout) as { rules: { from: string; to: string }[] };
    expect(js.rules.length).toBeGreaterThan(0);
    for (const r of js.rules) expect([r.from, r.to]).toContain("sql-server");
    expect((await runCli(["rules", "show", "kcps-file-server", "--role", "nobody"])).stderr).toMatch(/--role nobody: unknown role/);
  });
  it("rules lint lists every problem with file:line:col and exits 1", async () => {
    const text = readFileSync("rulesets/kcps-file-server.yaml", "utf8").replace("from: kcps-fs-dns", "from: kcps-dns").replace("services: [smb]", "services: [smbb]");
    const dir = tmpFiles({ "mine.yaml": text });
    const r = await runCli(["rules", "lint", join(dir, "mine.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mine\.yaml:\d+:\d+: rule [a-z-]+: unknown role "kcps-dns"/);
    expect(r.stderr).toMatch(/mine\.yaml:\d+:\d+: rule [a-z-]+: unknown service "smbb"/);
    expect(r.stderr).toMatch(/2 problems found/);
    expect((await runCli(["rules", "lint", "rulesets/kcps-file-server.yaml"])).code).toBe(0);
  });
});

describe("portmatrix events", () => {
  it("prints one JSON object per log record with the documented fields", async () => {
    const r = await runCli(["events", KERN]);
    expect(r.code).toBe(0);
    const evs = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(evs).toHaveLength(18);
    expect(evs[0]).toMatchObject({ src: "10.99.1.100", dst: "10.99.2.10", protocol: "tcp", dstPort: 445, action: "allowed", input: KERN, line: 1, tcpFlags: "SYN" });
    expect(evs.find((e) => e.protocol === "icmp")).toMatchObject({ srcPort: null, dstPort: null, icmpType: 8 });
    expect(r.stderr).toMatch(/fixtures\/kcps\/kern\.log \(netfilter\): 18 read, 18 used, 0 skipped/);
  });
});
