import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server, type AddressInfo } from "node:net";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import type { Finding } from "../../src/report/types.js";
import { parseReport } from "../helpers/report.js";

/**
 * `portmatrix probe` against real listeners on 127.0.0.1, no root needed: a TCP server, a closed TCP
 * port, a DNS and an NTP responder (node:dgram), a closed UDP port (the kernel answers ICMP port
 * unreachable), silent UDP sockets, and a UDP echo. The responders check the request bytes they get.
 */
const closers: (() => Promise<void> | void)[] = [];
const seen: Record<string, Buffer[]> = { dns: [], ntp: [] };
const dnsClientPorts: number[] = [];

function listenTcp(): Promise<Server> {
  const s = createServer((c) => c.destroy());
  return new Promise((res) => s.listen(0, "127.0.0.1", () => res(s)));
}
function bindUdp(onMessage?: (s: UdpSocket, msg: Buffer, port: number, address: string) => void): Promise<UdpSocket> {
  const s = createSocket("udp4");
  if (onMessage) s.on("message", (m, r) => onMessage(s, m, r.port, r.address));
  return new Promise((res) => s.bind(0, "127.0.0.1", () => res(s)));
}
const tcpPort = (s: Server) => (s.address() as AddressInfo).port;
const udpPort = (s: UdpSocket) => s.address().port;

/** RFC 1035 4.1.1: answer a query for the root NS with NOERROR, no records (QR and RA set). */
function dnsAnswer(s: UdpSocket, q: Buffer, port: number, address: string): void {
  seen.dns!.push(q);
  dnsClientPorts.push(port);
  const r = Buffer.from(q);
  r[2] = 0x80 | (q[2]! & 0x79);
  r[3] = 0x80;
  s.send(r, port, address);
}
/** RFC 5905 7.3: a stratum-2 server reply whose origin timestamp is the request's transmit timestamp. */
function ntpAnswer(s: UdpSocket, q: Buffer, port: number, address: string): void {
  seen.ntp!.push(q);
  const r = Buffer.alloc(48);
  r[0] = (4 << 3) | 4;
  r[1] = 2;
  q.copy(r, 24, 40, 48);
  s.send(r, port, address);
}

let ports: Record<string, number> = {};
let dir = "";

beforeAll(async () => {
  const open = await listenTcp();
  const closedTcp = await listenTcp();
  const dns = await bindUdp(dnsAnswer);
  const ntp = await bindUdp(ntpAnswer);
  const echo = await bindUdp((s, m, p, a) => s.send(m.length > 0 ? m : Buffer.from("pong"), p, a));
  const silentDns = await bindUdp();
  const silent = await bindUdp();
  const closedUdp = await bindUdp();
  ports = {
    open: tcpPort(open), closedTcp: tcpPort(closedTcp), dns: udpPort(dns), ntp: udpPort(ntp), echo: udpPort(echo),
    silentDns: udpPort(silentDns), silent: udpPort(silent), closedUdp: udpPort(closedUdp),
  };
  await new Promise<void>((res) => closedTcp.close(() => res()));
  await new Promise<void>((res) => closedUdp.close(() => res()));
  closers.push(() => new Promise<void>((res) => open.close(() => res())));
  for (const s of [dns, ntp, echo, silentDns, silent]) closers.push(() => new Promise<void>((res) => s.close(() => res())));

  const ruleset = `
id: loopback-lab
title: probe test matrix
version: 1
provenance: {document: "test/probe/loopback.test.ts"}
roles:
  - {id: client, title: Client}
  - {id: server, title: Server}
scenarios:
  - {id: all, title: Everything}
services:
  - {id: web, title: Web, ports: [{tcp: [${ports.open}, ${ports.closedTcp}]}]}
  - {id: dns, title: DNS, ports: [{udp: ${ports.dns}}]}
  - {id: ntp, title: NTP, ports: [{udp: ${ports.ntp}}]}
  - {id: quiet, title: Quiet services, ports: [{udp: [${ports.silentDns}, ${ports.silent}, ${ports.closedUdp}, ${ports.echo}]}]}
  - {id: dynamic, title: Dynamic range, ports: [{tcp: "900-1000"}]}  # below the ephemeral range: no listener of this test can be given a port in it
  - {id: ping, title: Echo, ports: [{icmp: [8]}]}
rules:
  - {id: client-to-server, from: client, to: server, services: [web, ntp, quiet, dynamic, ping], scenarios: [all], requirement: required, purpose: test, source: test}
  - {id: client-to-server-dns, from: client, to: server, services: [dns], source_ports: ["50000-50100"], scenarios: [all], requirement: required, purpose: test, source: test}
  - {id: server-to-client, from: server, to: client, services: [web], scenarios: [all], requirement: required, purpose: test, source: test}
`;
  // 192.0.2.0/24 (RFC 5737 documentation prefix) is a prefix: listed as not probed, never contacted.
  const inventory = `roles:\n  server: [{address: 127.0.0.1, name: loopback}, 192.0.2.0/24]\n`;
  dir = tmpFiles({ "ruleset.yaml": ruleset, "inventory.yaml": inventory });
});

afterAll(async () => {
  for (const c of closers) await c();
});

function probeArgs(...extra: string[]): string[] {
  return [
    "probe", "--as", "client", "-r", join(dir, "ruleset.yaml"), "-i", join(dir, "inventory.yaml"), "--timeout", "400",
    "--udp-request", `${ports.dns}=dns,${ports.ntp}=ntp,${ports.silentDns}=dns`, ...extra,
  ];
}

describe("probe on loopback", () => {
  it("reports reachable, refused, answered, unanswered and inconclusive attempts in the report shape of check", async () => {
    const t0 = Date.now();
    const r = await runCli([...probeArgs("--format", "json")], { PORTMATRIX_PING: "none" });
    expect(r.code, r.stderr).toBe(1);
    const rep = parseReport(r.stdout);
    const at = (protocol: string, port: number | null): Finding => {
      const f = rep.findings.filter((x) => x.protocol === protocol && x.port === port);
      expect(f, `${protocol}/${port}`).toHaveLength(1);
      return f[0]!;
    };
    const open = at("tcp", ports.open!);
    expect(open).toMatchObject({ verdict: "allowed-required", action: "allowed", src: "127.0.0.1", dst: "127.0.0.1", dstName: "loopback", srcRole: "client", dstRole: "server", rule: "client-to-server", services: ["web"], count: 1, example: { input: "probe" } });
    expect(open.evidence).toEqual([expect.stringMatching(/^probe: tcp connect ok in \d+ ms$/)]);
    expect(Date.parse(open.firstSeen!)).toBeGreaterThanOrEqual(t0 - 1000);

    expect(at("tcp", ports.closedTcp!)).toMatchObject({ verdict: "blocked-required", action: "blocked", evidence: ["probe: connection refused (RST from 127.0.0.1): nothing listening, or a firewall answering in its name"] });
    expect(at("udp", ports.dns!)).toMatchObject({ verdict: "allowed-required", rule: "client-to-server-dns", evidence: [expect.stringMatching(/^probe: dns answered in \d+ ms \(NOERROR, 0 answers\)$/)] });
    // The rule allows client ports 50000-50100 only: the probe sends from one of them.
    expect(dnsClientPorts[0]).toBeGreaterThanOrEqual(50000);
    expect(dnsClientPorts[0]).toBeLessThanOrEqual(50100);
    expect(at("udp", ports.ntp!)).toMatchObject({ verdict: "allowed-required", evidence: [expect.stringMatching(/^probe: ntp answered in \d+ ms \(stratum 2\)$/)] });
    expect(at("udp", ports.echo!)).toMatchObject({ verdict: "allowed-required", evidence: [expect.stringMatching(/^probe: udp answered in \d+ ms \(4 bytes\)$/)] });
    expect(at("udp", ports.closedUdp!)).toMatchObject({ verdict: "blocked-required", evidence: [expect.stringMatching(/^probe: port unreachable \(ICMP\)/)] });
    expect(at("udp", ports.silentDns!)).toMatchObject({ verdict: "blocked-required", evidence: ["probe: dns request unanswered in 0.4 s (filtered or not listening)"] });
    // A plain datagram nobody answers says nothing: PortQry's "LISTENING or FILTERED".
    expect(at("udp", ports.silent!)).toMatchObject({ verdict: "inconclusive", action: "unknown", evidence: ["probe: no answer (listening or filtered, as PortQry says)"] });
    expect(rep.findings.find((x) => x.protocol === "icmp")).toMatchObject({ verdict: "inconclusive", icmpType: 8, port: null, evidence: ["probe: cannot send ICMP from this process (no ping command found)"] });
    expect(rep.findings).toHaveLength(9);

    // The responders got real requests: a DNS query for the root NS, RD off; an NTP v4 client packet.
    const q = seen.dns![0]!;
    expect(q.readUInt16BE(2)).toBe(0); // QR=0, opcode 0, RD=0
    expect([...q.subarray(4, 12)]).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
    expect([...q.subarray(12)]).toEqual([0, 0, 2, 0, 1]); // ".", NS, IN
    expect(seen.ntp![0]).toHaveLength(48);
    expect(seen.ntp![0]![0]).toBe(0x23); // LI 0, VN 4, mode 3

    // Accounting: one record per attempt; the prefix and the wide range are skipped with a reason.
    expect(rep.inputs).toEqual([{
      path: "probe", format: "probe", compressed: false, records: { read: 12, used: 9, skipped: 3 },
      skippedByReason: { "prefix-not-probed": 2, "range-not-probed": 1 },
      flows: { read: 9, used: 9, skipped: 0, skippedByReason: {} },
      skippedSamples: [
        { line: 10, reason: "range-not-probed", text: "rule client-to-server: loopback (127.0.0.1) tcp 900-1000 not probed (range of 101 ports)" },
        { line: 11, reason: "prefix-not-probed", text: "rule client-to-server: 192.0.2.0/24 (server) is a prefix, not probed" },
        { line: 12, reason: "prefix-not-probed", text: "rule client-to-server-dns: 192.0.2.0/24 (server) is a prefix, not probed" },
      ],
      error: null,
      // Every attempt is between inventory hosts (this machine counted as the role it acts as).
      events: { total: 9, classified: 9, oneEnd: 0 },
    }]);
    // Only the role's own rules are in play; the machine holds the role for this run.
    expect(rep.ruleset.rules.map((x) => x.id)).toEqual(["client-to-server", "client-to-server-dns"]);
    expect(rep.coverage).toMatchObject([
      { rule: "client-to-server", status: "allowed-and-blocked", allowed: 3, blocked: 3 },
      { rule: "client-to-server-dns", status: "allowed", allowed: 1, blocked: 0 },
    ]);
    expect(r.stderr).toMatch(/this machine's address 127\.0\.0\.1 is not listed under client/);
    expect(r.stderr).toMatch(/tcp 900-1000 not probed \(range of 101 ports\)/);
  });

  it("renders the text report with every outcome, and writes other formats with --output", async () => {
    const out = join(dir, "probe.html");
    const r = await runCli([...probeArgs("-o", out, "--format", "text", "-o", join(dir, "probe.json"))], { PORTMATRIX_PING: "none" });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^portmatrix probe {2}ruleset loopback-lab /);
    expect(r.stdout).toMatch(/✗ blocked-required: 3 findings, 3 flows/);
    expect(r.stdout).toMatch(/• allowed-required: 4 findings, 4 flows/);
    expect(r.stdout).toMatch(/probe \(probe\): 12 records read, 9 used, 3 skipped/);
    expect(readFileSync(out, "utf8")).toMatch(/^<!DOCTYPE html>/i);
    expect((parseReport(readFileSync(join(dir, "probe.json"), "utf8"))).findings).toHaveLength(9);
    // Written to files only: the Result line on stderr says how the probe ended.
    const quiet = await runCli([...probeArgs("-o", join(dir, "only.json"))], { PORTMATRIX_PING: "none" });
    expect(quiet.stdout).toBe("");
    expect(quiet.stderr).toMatch(/\nResult: \d+ violations \(fail-on: blocked-required, allowed-unexpected\) \(exit 1\)\n$/);
  });

  it("reports what is still unanswered at --max-time as not finished in time", async () => {
    const t0 = Date.now();
    const r = await runCli([...probeArgs("--format", "json", "--timeout", "20000", "--max-time", "1")], { PORTMATRIX_PING: "none" });
    expect(Date.now() - t0).toBeLessThan(5000);
    const rep = parseReport(r.stdout);
    const late = rep.findings.filter((f) => f.evidence[0] === "probe: not finished in time");
    expect(late.map((f) => f.port).sort()).toEqual([ports.silentDns, ports.silent].sort());
    expect(late.every((f) => f.verdict === "inconclusive")).toBe(true);
  });

  it("stops with one line and exit 2 for a role the ruleset lacks or one that starts no rule", async () => {
    const bad = await runCli(["probe", "--as", "nobody", "-r", join(dir, "ruleset.yaml"), "-i", join(dir, "inventory.yaml")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("portmatrix: --as nobody: unknown role for ruleset loopback-lab; known roles: client, server\n");
    const badUdp = await runCli(["probe", "--as", "client", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--udp-request", "53=whois"]);
    expect(badUdp.code).toBe(2);
    expect(badUdp.stderr).toMatch(/^portmatrix: --udp-request 53=whois: expected PORT=PROTOCOL/);
    const help = await runCli(["probe", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n  portmatrix probe --as file-share-client/);
  });
});
