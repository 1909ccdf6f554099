import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import type { Report } from "../../src/report/types.js";
import { parseReport } from "../helpers/report.js";
import { parseSarif } from "../helpers/sarif.js";

/**
 * Who stopped a blocked flow, as every output says it, on real captures: the lab's customer side
 * (the router's forged RST on 5985 and ICMP on 135: network; the server's own RST on 5986:
 * destination; drops: unknown) and the samba AD lab (a DC refusing 5985 and 3389 itself).
 */
const LAB = ["-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "fixtures/lab/captures/customer-side.pcap"];
const SAMBA = ["-r", "kcps-file-server", "-i", "fixtures/pcap/samba-ad-lab/inventory.yaml", "fixtures/pcap/samba-ad-lab/ad-client.pcap"];

describe("blockedBy in every output", () => {
  it("JSON: each blocked required flow of the lab capture carries who stopped it", async () => {
    const r = parseReport((await runCli(["check", "--format", "json", ...LAB])).stdout);
    const blocked = r.findings.filter((f) => f.verdict === "blocked-required").map((f) => `${f.protocol}/${f.port} ${f.blockedBy}`).sort();
    expect(blocked).toEqual(["tcp/135 network", "tcp/139 unknown", "tcp/5985 network", "tcp/5986 destination", "udp/88 unknown"]);
    expect(r.findings.filter((f) => f.action !== "blocked").every((f) => f.blockedBy === null)).toBe(true);
  });

  it("text: 'refused by ... itself' for the server's own RST, 'stopped on the way' for the router's, never 'the firewall breaks the product'", async () => {
    const out = (await runCli(["check", ...LAB])).stdout;
    expect(out).not.toMatch(/firewall breaks/);
    expect(out).toMatch(/blocked-required: 5 findings, 5 flows \(required, but it does not get through; 2 stopped on the way, 1 refused by the destination, 2 not known who\)/);
    expect(out).toMatch(/10\.99\.1\.200 -> 10\.99\.2\.10 {2}1 flow {2}refused by 10\.99\.2\.10 itself: is the service running, and does its own firewall let it in\? {2}\[rst: SYN answered by RST from 10\.99\.2\.10 with TTL 63/);
    expect(out).toMatch(/10\.99\.1\.200 -> 10\.99\.2\.10 {2}1 flow {2}stopped on the way: a firewall drops or rejects it {2}\[rst: SYN answered by RST from 10\.99\.2\.10 with TTL 64/);
  });

  it("the samba DC's own refusals read as the destination's in check, not the firewall's", async () => {
    const out = (await runCli(["check", ...SAMBA])).stdout;
    expect(out).not.toMatch(/firewall breaks|stopped on the way/);
    expect(out).toMatch(/2 refused by the destination/);
    expect(out.match(/refused by 10\.88\.0\.10 itself: is the service running/g)).toHaveLength(2);
    const r = parseReport((await runCli(["check", "--format", "json", ...SAMBA])).stdout);
    expect(r.findings.filter((f) => f.verdict === "blocked-required").map((f) => [f.port, f.blockedBy])).toEqual([[3389, "destination"], [5985, "destination"]]);
  });

  it("HTML, Markdown, CSV, JUnit and SARIF say it too", async () => {
    const dir = tmpFiles({});
    const files = ["r.html", "r.md", "r.csv", "r.xml", "r.sarif"].map((f) => join(dir, f));
    await runCli(["check", ...LAB, ...files.flatMap((f) => ["--output", f])]);
    const [html, md, csv, junit, sarif] = files.map((f) => readFileSync(f, "utf8")) as [string, string, string, string, string];
    expect(html).toMatch(/<span data-blocked-by="destination" title="refused by 10\.99\.2\.10 itself: is the service running[^"]*">refused by 10\.99\.2\.10 itself</);
    expect(html).toMatch(/<span data-blocked-by="network" title="stopped on the way: a firewall drops or rejects it">stopped on the way</);
    expect(html).toMatch(/<p class="dim">\d+ refused by the destination itself: is the service running/);
    expect(md).toMatch(/\| stopped by \|/);
    expect(md).toMatch(/\| tcp\/5986 \| winrm-admin-pc-to-kcps-fs \| 1 \| destination \|/);
    expect(csv.split("\r\n")[0]).toMatch(/^verdict,action,blocked_by,src,/);
    expect(csv).toMatch(/\nblocked-required,blocked,destination,10\.99\.1\.200,/);
    expect(junit).toMatch(/tcp\/5986 1 flow: refused by 10\.99\.2\.10 itself/);
    const results = parseSarif<{ runs: { results: { message: { text: string }; properties: { port: number; blockedBy: string } }[] }[] }>(sarif).runs[0]!.results;
    const r5985 = results.find((x) => x.properties.port === 5985)!;
    expect(r5985.properties.blockedBy).toBe("network");
    expect(r5985.message.text).toMatch(/was blocked: stopped on the way: a firewall drops or rejects it/);
    expect(results.find((x) => x.properties.port === 5986)!.message.text).toMatch(/was blocked: refused by 10\.99\.2\.10 itself/);
  });
});

describe("--fail-on narrowed by who stopped the flow", () => {
  it("blocked-required:destination fails only on the server's own refusal; :network on the firewall's", async () => {
    const dest = parseReport((await runCli(["check", "--format", "json", "--fail-on", "blocked-required:destination", ...LAB])).stdout);
    expect([dest.exitCode, dest.totals.violations, dest.failOn]).toEqual([1, 1, ["blocked-required:destination"]]);
    const net = await runCli(["check", "--fail-on", "blocked-required:network", ...LAB]);
    expect(net.code).toBe(1);
    expect(net.stdout).toMatch(/Result: 2 violations \(fail-on: blocked-required:network\)/);
    const samba = await runCli(["check", "--fail-on", "blocked-required:network", ...SAMBA]);
    expect(samba.code).toBe(0);
    const both = parseReport((await runCli(["check", "--format", "json", "--fail-on", "blocked-required:network", "--fail-on", "blocked-required:unknown", ...LAB])).stdout);
    expect(both.totals.violations).toBe(4);
  });

  it("an unknown attribution is a usage error naming what is accepted", async () => {
    const r = await runCli(["check", "--fail-on", "blocked-required:firewall", ...LAB]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--fail-on blocked-required:firewall: unknown verdict; .*blocked-required:network\|destination\|unknown/);
  });

  it("SARIF and Markdown list only the findings the narrowed fail-on names", async () => {
    const dir = tmpFiles({});
    const sarifFile = join(dir, "r.sarif");
    await runCli(["check", "--fail-on", "blocked-required:destination", "--output", sarifFile, ...LAB]);
    const results = parseSarif<{ runs: { results: { properties: { port: number } }[] }[] }>(readFileSync(sarifFile, "utf8")).runs[0]!.results;
    expect(results.map((x) => x.properties.port)).toEqual([5986]);
  });
});

describe("firewall logs: the firewall that wrote the line stopped it, unless it is the destination's own", () => {
  const events = async (name: string, text: string) => {
    const dir = tmpFiles({ [name]: text });
    const r = await runCli(["events", join(dir, name)]);
    return r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { action: string; blockedBy: string | null; evidence: string });
  };
  it("netfilter: IN= and no OUT= is the receiving host's own firewall; forwarded or sent, it is on the way", async () => {
    const e = await events("kern.log", [
      "Nov 23 09:12:01 web01 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=10.0.0.5 DST=10.0.0.9 LEN=60 TTL=64 PROTO=TCP SPT=40000 DPT=5985 SYN URGP=0",
      "Nov 23 09:12:02 fw kernel: DROP IN=eth0 OUT=eth1 SRC=10.0.0.5 DST=10.0.0.9 LEN=60 TTL=63 PROTO=TCP SPT=40001 DPT=5985 SYN URGP=0",
      "Nov 23 09:12:03 pc kernel: REJECT IN= OUT=eth0 SRC=10.0.0.5 DST=10.0.0.9 LEN=60 TTL=64 PROTO=TCP SPT=40002 DPT=5985 SYN URGP=0",
      "Nov 23 09:12:04 web01 kernel: ACCEPT IN=eth0 OUT= SRC=10.0.0.5 DST=10.0.0.9 LEN=60 TTL=64 PROTO=TCP SPT=40003 DPT=22 SYN URGP=0",
    ].join("\n") + "\n");
    expect(e.map((x) => [x.action, x.blockedBy])).toEqual([["blocked", "destination"], ["blocked", "network"], ["blocked", "network"], ["allowed", null]]);
  });
  it("Windows Firewall: a drop on RECEIVE is the destination's own firewall, on SEND the sender's", async () => {
    const e = await events("pfirewall.log", [
      "#Version: 1.5", "#Software: Microsoft Windows Firewall", "#Time Format: Local",
      "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path",
      "2026-11-23 09:12:01 DROP TCP 10.0.0.5 10.0.0.9 40000 5985 60 S 1 0 64240 - - - RECEIVE",
      "2026-11-23 09:12:02 DROP TCP 10.0.0.9 10.0.0.5 40001 443 60 S 1 0 64240 - - - SEND",
    ].join("\r\n") + "\r\n");
    expect(e.map((x) => [x.action, x.blockedBy])).toEqual([["blocked", "destination"], ["blocked", "network"]]);
  });
  it("Zeek conn.log: a REJ names nobody (Zeek keeps no TTL)", async () => {
    const e = await events("conn.log", [
      "#separator \\x09", "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\thistory\torig_pkts\tresp_pkts",
      "1700000000.000000\tC1\t10.0.0.5\t50001\t10.0.0.9\t445\ttcp\tREJ\tSr\t1\t1",
    ].join("\n") + "\n");
    expect(e.map((x) => [x.action, x.blockedBy])).toEqual([["blocked", "unknown"]]);
  });
});
