import { it, expect, beforeAll } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { runCli } from "../helpers/cli.js";
import { describeNeeding, needNetns, needRoot, needTool } from "../helpers/need.js";
import type { Report } from "../../src/report/types.js";
import type { WhyResult } from "../../src/pipeline/why.js";
import { parseReport } from "../helpers/report.js";

/**
 * The proof of the export: a real Samba AD DC behind a router that loads the nftables export (and the
 * iptables one), real clients doing the product's work through it (fixtures/lab/export-lab.sh), and
 * `check` on the router's log and the client's capture. The DC is provisioned once for all phases.
 *
 * Needs root, network namespaces and the Debian packages .ci/run installs; test/helpers/need.ts fails
 * the test under CI when one is missing (a green CI must mean the lab ran) and skips it elsewhere.
 */
const TOOLS = [
  "ip", "nft", "tcpdump", "python3", "dmesg", "flock", "timeout", "samba", "samba-tool", "kinit", "kpasswd", "ldapsearch",
  "smbclient", "rpcclient", "nmblookup", "net", "dig", "ping", "ss", "iptables-restore",
];
const INV = "fixtures/lab/export-lab/inventory.yaml";
const CLIENT = "10.97.1.100";
const ADMIN = "10.97.1.200";
const FS = "10.97.2.10";
const FS_AD = "10.97.2.20";
const FS_DNS = "10.97.2.53";
const CUST_DNS = "10.97.1.53";
/** The rule the second phase removes from the export, and the one flow the lab makes through it. */
const REMOVED = "smb-client-to-kcps-fs";

/** Every flow the clients make that the matrix requires: [src, dst, protocol, port or null for ICMP]. */
const REQUIRED: [string, string, string, number | null][] = [
  [CUST_DNS, FS_DNS, "udp", 53], [CUST_DNS, FS_DNS, "tcp", 53],
  [CLIENT, FS, "udp", 88], [CLIENT, FS, "tcp", 88], [CLIENT, FS, "tcp", 464],
  [CLIENT, FS_AD, "tcp", 389], [CLIENT, FS_AD, "tcp", 636], [CLIENT, FS_AD, "tcp", 3268], [CLIENT, FS_AD, "tcp", 3269],
  [CLIENT, FS_AD, "udp", 389],
  [CLIENT, FS, "tcp", 445], [CLIENT, FS, "tcp", 139], [CLIENT, FS, "udp", 137], [CLIENT, FS, "tcp", 135],
  [CLIENT, FS, "icmp", null],
  [ADMIN, FS, "tcp", 3389], [ADMIN, FS, "tcp", 5985], [ADMIN, FS, "tcp", 5986],
];
/** Flows the matrix does not allow; the export must drop them. */
const UNEXPECTED: [string, string, string, number][] = [
  [CLIENT, FS, "tcp", 23], [CLIENT, FS, "tcp", 8080], [CLIENT, FS, "tcp", 3389], [CLIENT, FS, "tcp", 389],
];

interface Step { step: string; expect: "ok" | "blocked"; ok: boolean; exit: number; output: string }

function steps(dir: string): Step[] {
  return readFileSync(join(dir, "steps.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Step);
}

async function check(...inputs: string[]): Promise<Report> {
  const r = await runCli(["check", "-r", "kcps-file-server", "-i", INV, "--format", "json", "--fail-on", "none", ...inputs]);
  expect(r.code, r.stderr).toBe(0);
  return parseReport(r.stdout);
}

/**
 * The distinct verdicts of a flow. The router's log and the client's capture may attribute one blocked
 * flow differently (the log: the firewall on the way; the capture: silence, unknown), which makes one
 * finding per attribution with the same verdict.
 */
function verdictOf(rep: Report, [src, dst, proto, port]: readonly [string, string, string, number | null]): string[] {
  return [...new Set(rep.findings.filter((f) => f.src === src && f.dst === dst && f.protocol === proto && (port === null || f.port === port)).map((f) => f.verdict))];
}

function expectSound(rep: Report, where: string, removed?: string): void {
  for (const i of rep.inputs) expect(i.records.read, `${where}: ${i.path} read nothing`).toBeGreaterThan(0);
  const bad = rep.findings.filter((f) => f.verdict === "allowed-unexpected" || f.verdict === "inconclusive" || f.verdict === "unclassified" ||
    (f.verdict === "blocked-required" && f.rule !== removed));
  expect(bad.map((f) => `${f.verdict} ${f.src} -> ${f.dst} ${f.protocol}/${f.port}`), where).toEqual([]);
  for (const u of UNEXPECTED) expect(verdictOf(rep, u), `${where}: ${u.join(" ")}`).toEqual(["blocked-unexpected"]);
}

const run = promisify(execFile);

describeNeeding([needRoot, () => needTool(...TOOLS), needNetns], "export lab: the exported firewall between a real Samba AD DC and its clients", () => {
  const out = mkdtempSync(join(tmpdir(), "portmatrix-export-lab-"));
  const phase = (name: string) => join(out, name);

  beforeAll(async () => {
    const tag = Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, "0");
    const nft = join(out, "full.nft");
    const args = ["-r", "kcps-file-server", "-i", INV, "--log-prefix", `pmx-${tag}`, "--log-accepted"];
    expect((await runCli(["export", "--to", "nftables", ...args, "-o", nft])).code).toBe(0);
    expect((await runCli(["export", "--to", "iptables", ...args, "-o", join(out, "rules.v4")])).code).toBe(0);
    // Take one required rule out of the export, as a person editing the file would.
    const lines = readFileSync(nft, "utf8").split("\n");
    const kept = lines.filter((l) => !l.includes(`comment "${REMOVED}"`));
    expect(lines.length - kept.length).toBe(1);
    writeFileSync(join(out, "minus.nft"), kept.join("\n"));
    await run("bash", [
      "fixtures/lab/export-lab.sh", out,
      `full=nftables:${nft}`, `minus-rule=nftables:${join(out, "minus.nft")}`, `iptables=iptables:${join(out, "rules.v4")}`,
    ], { timeout: 420_000, env: { ...process.env, PMX_LAB_TAG: tag } });
  }, 450_000);

  for (const name of ["full", "iptables"]) {
    it(`${name}: every client succeeds, every unexpected connect is dropped`, () => {
      const s = steps(phase(name));
      expect(s.length).toBeGreaterThanOrEqual(20);
      for (const x of s) expect(x.ok, `${x.step}: exit ${x.exit}: ${x.output}`).toBe(x.expect === "ok");
    });

    it(`${name}: check on the router's log and on the client's capture: 0 blocked-required, 0 allowed-unexpected`, async () => {
      const log = join(phase(name), "router.log");
      const cap = join(phase(name), "client.pcap");
      for (const inputs of [[log], [cap], [log, cap]]) {
        const rep = await check(...inputs);
        const where = `${name} ${inputs.map((i) => i.split("/").pop()).join("+")}`;
        expectSound(rep, where);
        for (const r of REQUIRED) expect(verdictOf(rep, r), `${where}: ${r.join(" ")}`).toEqual(["allowed-required"]);
        // Samba's RPC server answered the endpoint mapper with a port of the matrix's dynamic range.
        expect(rep.findings.some((f) => f.dst === FS && f.protocol === "tcp" && f.port !== null && f.port >= 49152 && f.verdict === "allowed-required" && f.rule === "rpc-client-to-kcps-fs"), where).toBe(true);
      }
      if (name === "iptables") expect(readFileSync(join(phase(name), "firewall.txt"), "utf8")).toContain("table ip filter");
    });
  }

  it("removing one required rule from the export blocks exactly that flow, and why names the rule", async () => {
    const s = steps(phase("minus-rule"));
    for (const x of s) {
      const shouldWork = x.expect === "ok" && !x.step.startsWith("smb-445");
      expect(x.ok, `${x.step}: exit ${x.exit}: ${x.output}`).toBe(shouldWork);
    }
    const log = join(phase("minus-rule"), "router.log");
    const cap = join(phase("minus-rule"), "client.pcap");
    const rep = await check(log, cap);
    expectSound(rep, "minus-rule", REMOVED);
    const blocked = rep.findings.filter((f) => f.verdict === "blocked-required");
    // One finding per attribution: the router's log says the firewall on the way, the capture sees silence.
    expect([...new Set(blocked.map((f) => `${f.src} -> ${f.dst} ${f.protocol}/${f.port} ${f.rule}`))]).toEqual([`${CLIENT} -> ${FS} tcp/445 ${REMOVED}`]);
    expect(blocked.some((f) => f.blockedBy === "network")).toBe(true);
    for (const r of REQUIRED.filter(([, , p, port]) => !(p === "tcp" && port === 445))) {
      expect(verdictOf(rep, r), `minus-rule: ${r.join(" ")}`).toEqual(["allowed-required"]);
    }
    const why = await runCli(["why", CLIENT, "-r", "kcps-file-server", "-i", INV, "--format", "json", log, cap]);
    const w = JSON.parse(why.stdout) as WhyResult;
    expect(w.verdict.cause, w.verdict.text).toBe(REMOVED);
  });
});
