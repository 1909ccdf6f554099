import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SyslogFramer } from "../../src/collect/framing.js";
import { Collector } from "../../src/collect/collector.js";
import { parseListen } from "../../src/cli/collect.js";
import { setupCheck } from "../../src/pipeline/check.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { runCli } from "../helpers/cli.js";
import { materialise } from "../../src/report/build.js";
import { describeNeeding, needRoot, needTool } from "../helpers/need.js";
import type { Report } from "../../src/report/types.js";

function frame(chunks: Buffer[], max = 100) {
  const out: string[] = [];
  const dropped: string[] = [];
  const f = new SyslogFramer({ message: (m) => out.push(m.toString()), dropped: (r) => dropped.push(r) }, max);
  for (const c of chunks) f.push(c);
  f.end();
  return { out, dropped };
}

describe("syslog over TCP framing (RFC 6587)", () => {
  const stream = Buffer.from("12 <13>1 hello!7 <13>abc<13>line one\n<13>line two\r\n5 x y z");
  it("octet-counted and line-feed framed messages, mixed on one connection, whatever the chunks", () => {
    const whole = frame([stream]);
    expect(whole).toEqual({ out: ["<13>1 hello!", "<13>abc", "<13>line one", "<13>line two", "x y z"], dropped: [] });
    for (let n = 1; n <= stream.length; n++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; i += n) chunks.push(stream.subarray(i, i + n));
      expect(frame(chunks), `chunks of ${n}`).toEqual(whole);
    }
  });
  it("a message over the limit is dropped whole, once, and the next one is read", () => {
    expect(frame([Buffer.from(`${"a".repeat(150)}\n<13>next\n`)])).toEqual({ out: ["<13>next"], dropped: ["message-too-long"] });
    expect(frame([Buffer.from(`150 ${"a".repeat(150)}7 <13>abc`)])).toEqual({ out: ["<13>abc"], dropped: ["message-too-long"] });
  });
  it("an absurd count, and a counted message cut by the end of the connection", () => {
    expect(frame([Buffer.from("1234567890123 x\n<13>ok\n")])).toEqual({ out: ["<13>ok"], dropped: ["bad-octet-count"] });
    expect(frame([Buffer.from("20 <13>short")])).toEqual({ out: [], dropped: ["truncated-message"] });
  });
});

describe("collect: arguments", () => {
  it("a port alone binds to loopback; a host may be named, IPv6 in brackets", () => {
    expect(parseListen("--netflow", "2055")).toEqual({ host: "127.0.0.1", port: 2055 });
    expect(parseListen("--netflow", ":2055")).toEqual({ host: "127.0.0.1", port: 2055 });
    expect(parseListen("--syslog", "0.0.0.0:514")).toEqual({ host: "0.0.0.0", port: 514 });
    expect(parseListen("--syslog", "[::1]:5514")).toEqual({ host: "::1", port: 5514 });
    expect(() => parseListen("--syslog", "host:99999")).toThrow(/--syslog host:99999: expected \[HOST:\]PORT/);
  });
  it("without a listener or an output, one clear usage error", async () => {
    const r = await runCli(["collect", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "-o", "x.json"]);
    expect([r.code, r.stderr]).toEqual([2, "portmatrix: collect: give --netflow [HOST:]PORT, --syslog [HOST:]PORT or both\n"]);
  });
  it("a listener that heard nothing is an input with no record: the run is not a complete check", async () => {
    const c = new Collector({
      setup: setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map()), decode: defaultDecodeOptions(),
      failOn: [], syslog: { host: "127.0.0.1", port: 0 }, netflow: { host: "127.0.0.1", port: 0 }, maxMessage: 600, maxConnections: 4, idleMs: 1000, pairWindowMs: 1000,
    });
    await c.start();
    const p = c.ports();
    await c.close();
    const rep = c.report(true).skeleton;
    expect(rep.inputs.map((i) => [i.format, i.records.read])).toEqual([["netflow", 0], ["syslog", 0]]);
    // Named by the ports the system gave, not the 0 asked for.
    expect(p.netflow! * p.syslogUdp! * p.syslogTcp!).toBeGreaterThan(0);
    expect(rep.inputs.map((i) => i.path)).toEqual([`udp://127.0.0.1:${p.netflow}`, `udp://127.0.0.1:${p.syslogUdp} tcp://127.0.0.1:${p.syslogTcp}`]);
    expect(rep.exitCode).toBe(2);
  });
  it("a port in use is one line naming it", async () => {
    const busy = createSocket("udp4");
    await new Promise<void>((res) => busy.bind(0, "127.0.0.1", () => res()));
    const port = busy.address().port;
    try {
      const c = new Collector({
        setup: setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map()), decode: defaultDecodeOptions(),
        failOn: [], netflow: { host: "127.0.0.1", port }, maxMessage: 65536, maxConnections: 4, idleMs: 1000, pairWindowMs: 1000,
      });
      await expect(c.start()).rejects.toThrow(`cannot listen on udp://127.0.0.1:${port}: the port is in use (another collector, syslog daemon or nfcapd?)`);
    } finally {
      busy.close();
    }
  });
});

describe("collect: one syslog listener on loopback, in this process", () => {
  it("each message to the decoder of its own format; what none takes, and what is too long, counted on the listener", async () => {
    const c = new Collector({
      setup: setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map()), decode: defaultDecodeOptions(),
      failOn: [], syslog: { host: "127.0.0.1", port: 0 }, maxMessage: 600, maxConnections: 4, idleMs: 1000, pairWindowMs: 1000,
    });
    await c.start();
    const port = c.ports().syslogUdp!;
    const s = createSocket("udp4");
    const send = (m: string) => new Promise<void>((res) => s.send(Buffer.from(m), port, "127.0.0.1", () => res()));
    const kern = readFileSync("fixtures/kcps/kern.log", "utf8").split("\n");
    await send(`<4>${kern[0]}\n`);
    await new Promise((r) => setTimeout(r, 200));
    // A report in the middle (--every, SIGHUP) hands over what the decoders hold; they go on reading.
    expect(c.report(false).skeleton.inputs.find((i) => i.format === "netfilter")!.records.used).toBe(1);
    await send("<13>Dec  5 10:00:00 host app: nothing a format knows");
    await send(`<4>${"x".repeat(700)}`);
    await send(`<4>${kern[1]}`);
    await new Promise((r) => setTimeout(r, 300));
    s.close();
    await c.close();
    const rep = c.report(true);
    const inputs = Object.fromEntries(rep.skeleton.inputs.map((i) => [i.format, i]));
    expect(inputs.netfilter!.records).toEqual({ read: 2, used: 2, skipped: 0 });
    expect(inputs.netfilter!.notes).toEqual({ "udp-messages": 2 });
    expect(inputs.syslog!.skippedByReason).toEqual({ "message-too-long": 1, "unknown-format": 1 });
  });
});

/** The UDP payloads of a classic pcap of export datagrams (Ethernet, IPv4), in order. */
function exportPayloads(file: string): Buffer[] {
  const d = readFileSync(file);
  const out: Buffer[] = [];
  for (let o = 24; o + 16 <= d.length;) {
    const incl = d.readUInt32LE(o + 8);
    const p = o + 16;
    const ihl = (d[p + 14]! & 0x0f) * 4;
    out.push(d.subarray(p + 14 + ihl + 8, p + incl));
    o = p + incl;
  }
  return out;
}

describe("collect: a real exporter's datagrams over UDP, in this process", () => {
  it("pmacct's IPFIX export of a capture, sent to the listener, gives check's findings on the capture", async () => {
    const c = new Collector({
      setup: setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map()), decode: defaultDecodeOptions(),
      failOn: [], netflow: { host: "127.0.0.1", port: 0 }, maxMessage: 65536, maxConnections: 4, idleMs: 1000, pairWindowMs: 60_000,
    });
    await c.start();
    const s = createSocket("udp4");
    const datagrams = exportPayloads("fixtures/flows/kcps-customer-side.pmacct-v10.pcap");
    for (const m of datagrams) await new Promise<void>((res) => s.send(m, c.ports().netflow!, "127.0.0.1", () => res()));
    await new Promise((r) => setTimeout(r, 300));
    s.close();
    await c.close();
    const got = materialise(c.report(true));
    const r = await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json", "fixtures/flows/traffic/kcps-customer-side.pcap"]);
    const want = JSON.parse(r.stdout) as Report;
    expect(got.inputs[0]!.records).toEqual({ read: 35, used: 22, skipped: 13 });
    expect(got.inputs[0]!.skippedByReason).toEqual({ "icmp-error": 1, "icmpv6-control": 8, template: 4 });
    expect(got.inputs[0]!.notes).toEqual({ datagrams: datagrams.length });
    expect(got.summary).toEqual(want.summary);
  });
});

/** `unshare -n` works: the lab runs in a private network namespace. */
function needUnshareNet(): string | undefined {
  return spawnSync("unshare", ["-n", "true"]).status === 0 ? undefined : "cannot make a network namespace (unshare -n)";
}

/**
 * The collector in a network namespace of its own, fed by the real senders: logger (util-linux) over
 * UDP and TCP, octet-counted and line-framed, RFC 3164 and 5424, and softflowd exporting NetFlow v9. Its
 * report is `check`'s on the same lines and the capture softflowd read. Needs root, unshare, logger,
 * softflowd; with CI set a missing one fails this test (test/helpers/need.ts).
 */
describeNeeding([needRoot, () => needTool("unshare", "logger", "softflowd", "softflowctl", "ss", "ip"), needUnshareNet], "collect in a network namespace, fed by logger and softflowd", () => {
  it("its report is check's on the same traffic; SIGHUP wrote one before the flows came", async () => {
    const out = mkdtempSync(join(tmpdir(), "portmatrix-collect-"));
    execFileSync("unshare", ["-n", "bash", "fixtures/flows/collect-lab.sh", out], { stdio: ["ignore", "ignore", "pipe"], timeout: 90_000 });
    const got = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as Report;
    const mid = JSON.parse(readFileSync(join(out, "report-after-hup.json"), "utf8")) as Report;
    const r = await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json", "fixtures/kcps/kern.log", "fixtures/flows/traffic/kcps-customer-side.pcap"]);
    const want = JSON.parse(r.stdout) as Report;
    // Every message and every flow record accounted for: 8 lines over UDP, 10 over two TCP connections.
    const byFormat = Object.fromEntries(got.inputs.map((i) => [i.format, i]));
    expect(byFormat.netfilter!.records).toEqual({ read: 18, used: 18, skipped: 0 });
    expect(byFormat.netfilter!.notes).toEqual({ "udp-messages": 8, "tcp-messages": 10 });
    // Every message went to a format: the listener had nothing of its own to report.
    expect(byFormat.syslog).toBeUndefined();
    expect(byFormat.netflow!.records.used).toBe(22);
    expect(byFormat.netflow!.notes?.datagrams).toBeGreaterThan(0);
    // The same findings, verdict by verdict and record by record. Who stopped a blocked flow is the one
    // thing flow records cannot say (flow-outcome.ts): there the capture names the destination or the
    // network, the export says unknown; the counts are summed over it.
    const sum = (rep: Report) => {
      const m = new Map<string, number>();
      for (const f of rep.findings) {
        const k = `${f.verdict} ${f.src} ${f.dst} ${f.protocol} ${f.port ?? f.icmpType}`;
        m.set(k, (m.get(k) ?? 0) + f.count);
      }
      return [...m.entries()].sort();
    };
    expect(sum(got)).toEqual(sum(want));
    expect(got.summary).toEqual(want.summary);
    expect(readFileSync(join(out, "collect.exit"), "utf8").trim()).toBe(String(want.exitCode));
    // SIGHUP, before softflowd ran: the syslog lines only.
    expect(Object.fromEntries(mid.inputs.map((i) => [i.format, i.records.read]))).toMatchObject({ netfilter: 18, netflow: 0 });
  }, 120_000);
});
