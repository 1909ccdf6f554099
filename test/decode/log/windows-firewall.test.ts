import { describe, it, expect } from "vitest";
import { createWindowsFirewallDecoder } from "../../../src/decode/log/windows-firewall.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, canonicalIp, decode, decodeAtEveryChunkSize, fixture, fixtureJsonl, lineEndingVariants, options } from "./helpers.js";

const windows = () => createWindowsFirewallDecoder(options());

const PLASO = "fixtures/logs/windows-firewall/plaso/firewall.log";
const OSSEC = "fixtures/logs/windows-firewall/ossec-docs/windows_firewall.rst.samples.log";
const AZURE = "fixtures/logs/windows-firewall/azure-docs/pfirewall-azure-stack-edge.log";

/**
 * An independent reading of a 17-column row (the documented default order), for files that come without
 * expected output: the row itself is the oracle.
 */
function reference(line: string): Partial<EventJson> {
  const t = line.trim().split(/\s+/);
  const v = (i: number) => (t[i] === "-" ? null : t[i]!);
  const proto = v(3)!.toLowerCase();
  const icmp = proto === "icmp";
  const action = v(2)!;
  return {
    time: `${v(0)}T${v(1)}.000Z`,
    src: canonicalIp(v(4)!),
    dst: canonicalIp(v(5)!),
    protocol: icmp && v(4)!.includes(":") ? "icmpv6" : proto,
    srcPort: icmp ? null : Number(v(6)),
    dstPort: icmp ? null : Number(v(7)),
    icmpType: icmp ? Number(v(13)) : null,
    icmpCode: icmp ? Number(v(14)) : null,
    action: action === "DROP" ? "blocked" : "allowed",
    evidence: action,
  };
}

describe("windows-firewall: plaso test_data/firewall.log", () => {
  const run = decode(windows, fixture(PLASO));
  const at = (line: number) => run.events.find((e) => e.line === line);

  it("accounts for every line: 4 headers, 14 rows used, INFO-EVENTS-LOST skipped", () => {
    // plaso counts 15 events: it keeps INFO-EVENTS-LOST ("59 events lost") as an event. It is bookkeeping
    // of the firewall's logger, not traffic, so we skip it with its own reason.
    expect(run.stats).toMatchObject({ read: 19, used: 14, skipped: { header: 4, "info-events-lost": 1 } });
    expect(balanced(run.stats)).toBe(true);
    expect(run.stats.samples.find((s) => s.reason === "info-events-lost")?.position).toBe(19);
  });

  interface PlasoExpected {
    line_in_file?: number;
    source_ip?: string;
    dest_ip?: string;
    source_port?: number;
    dest_port?: number;
    protocol?: string;
    action?: string;
    flags?: string;
    icmp_type?: number;
    icmp_code?: number;
    timestamp?: string;
  }
  const expected = fixtureJsonl<PlasoExpected>(`${PLASO}-expected.fields.jsonl`).filter((x) => x.line_in_file !== undefined);

  for (const x of expected) {
    it(`line ${x.line_in_file}: agrees with plaso's assertions`, () => {
      const e = at(x.line_in_file!);
      expect(e).toBeDefined();
      if (x.timestamp) expect(e!.time).toBe(`${x.timestamp.replace(" ", "T")}.000Z`);
      if (x.source_ip) expect(e!.src).toBe(x.source_ip);
      if (x.dest_ip) expect(e!.dst).toBe(x.dest_ip);
      if (x.source_port !== undefined) expect(e!.srcPort).toBe(x.source_port);
      if (x.dest_port !== undefined) expect(e!.dstPort).toBe(x.dest_port);
      if (x.protocol) expect(e!.protocol).toBe(x.protocol.toLowerCase());
      if (x.action) expect(e!.action).toBe(x.action === "DROP" ? "blocked" : "allowed");
      // plaso's "A" is the ACK flag.
      if (x.flags) expect(e!.tcpFlags).toBe(x.flags === "A" ? "ACK" : x.flags);
      if (x.icmp_type !== undefined) expect([e!.icmpType, e!.icmpCode]).toEqual([x.icmp_type, x.icmp_code]);
    });
  }

  it("reads every data row as the row says (OPEN/CLOSE are connections the firewall let through)", () => {
    const lines = fixture(PLASO).toString("utf8").split("\n");
    lines.forEach((l, i) => {
      if (l === "" || l.startsWith("#") || l.includes("INFO-EVENTS-LOST")) return;
      expect(at(i + 1), `line ${i + 1}`).toMatchObject(reference(l));
    });
  });

  it("reads TCP flag letters: AP -> ACK,PSH; FA -> ACK,FIN", () => {
    expect([at(13)!.tcpFlags, at(18)!.tcpFlags]).toEqual(["ACK,PSH", "ACK,FIN"]);
    // OPEN rows carry no flags column value.
    expect(at(15)!.tcpFlags).toBeNull();
  });
});

describe("windows-firewall: ossec-docs windows_firewall.rst samples", () => {
  const run = decode(windows, fixture(OSSEC));
  const lines = fixture(OSSEC).toString("utf8").split("\n");

  it("accounts for every line", () => {
    // 20 rows carry the documentation's masked address "x.x.x.79"; line 83 is two rows run together (the
    // page lost a line break): 33 tokens for 17 fields, so its columns cannot be trusted.
    expect(run.stats).toMatchObject({ read: 222, used: 200, skipped: { header: 1, "bad-address": 20, "extra-fields": 1 } });
    expect(balanced(run.stats)).toBe(true);
    expect(run.stats.samples.find((s) => s.reason === "extra-fields")?.position).toBe(83);
  });

  it("reads every well-formed row as the row says", () => {
    let n = 0;
    lines.forEach((l, i) => {
      if (l === "" || l.startsWith("#") || l.includes("x.x.x") || i + 1 === 83) return;
      n++;
      expect(run.events.find((e) => e.line === i + 1), `line ${i + 1}`).toMatchObject(reference(l));
    });
    expect(n).toBe(200);
  });

  it("reads the SA flags of a dropped TCP reply", () => {
    expect(run.events.find((e) => e.line === 3)).toMatchObject({ tcpFlags: "SYN,ACK", action: "blocked", srcPort: 445, dstPort: 2459 });
  });
});

describe("windows-firewall: azure-docs Azure Stack Edge pfirewall.log", () => {
  const run = decode(windows, fixture(AZURE));

  it("accounts for every line, the truncated row 4 included", () => {
    // Row 4 (line 9) ends "- - - - - - " without its path: 16 tokens for 17 fields.
    expect(run.stats).toMatchObject({ read: 19, used: 13, skipped: { header: 4, blank: 1, "truncated-row": 1 } });
    expect(balanced(run.stats)).toBe(true);
    // The first five skips (headers, blank) fill the samples: look at line 9 with its header alone.
    const lines = fixture(AZURE).toString("utf8").split("\n");
    const alone = decode(windows, Buffer.from(`${lines[3]}\n${lines[8]}\n`));
    expect(alone.stats.skipped).toEqual({ header: 1, "truncated-row": 1 });
    expect(alone.stats.samples[1]).toEqual({ position: 2, reason: "truncated-row", text: lines[8] });
  });

  it("reads IPv6 link-local and multicast mDNS rows", () => {
    const lines = fixture(AZURE).toString("utf8").split("\n");
    lines.forEach((l, i) => {
      if (!/^\d{4}-/.test(l) || i + 1 === 9) return;
      expect(run.events.find((e) => e.line === i + 1), `line ${i + 1}`).toMatchObject(reference(l));
    });
    expect(run.events.find((e) => e.line === 7)).toMatchObject({ src: "fe80::3680:dff:fe01:9e88", dst: "ff02::fb", protocol: "udp", dstPort: 5353 });
  });
});

describe("windows-firewall: columns, pid, other rows", () => {
  const HEADER = "#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n";
  const FIELDS17 = "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n";
  const FIELDS18 = FIELDS17.replace("path\n", "path pid\n");

  it("reads the Windows 10+ pid column and an ALLOW row", () => {
    const run = decode(windows, Buffer.from(`${HEADER}${FIELDS18}2024-02-01 10:00:00 ALLOW TCP 10.0.0.5 10.0.0.9 50000 445 0 - 0 0 0 - - - SEND 4\n`));
    expect(run.events).toEqual([expect.objectContaining({ action: "allowed", evidence: "ALLOW", src: "10.0.0.5", dstPort: 445, line: 5, time: "2024-02-01T10:00:00.000Z" })]);
  });

  it("counts a 17-token row under an 18-field header as truncated", () => {
    const run = decode(windows, Buffer.from(`${FIELDS18}2024-02-01 10:00:00 ALLOW TCP 10.0.0.5 10.0.0.9 50000 445 0 - 0 0 0 - - - SEND\n`));
    expect(run.stats.skipped).toEqual({ header: 1, "truncated-row": 1 });
  });

  it("follows a #Fields line that reorders the columns", () => {
    const run = decode(windows, Buffer.from("#Fields: date time src-ip dst-ip protocol src-port dst-port action\n2024-02-01 10:00:00 10.0.0.5 10.0.0.9 UDP 5000 53 DROP\n"));
    expect(run.events).toEqual([expect.objectContaining({ src: "10.0.0.5", dst: "10.0.0.9", protocol: "udp", srcPort: 5000, dstPort: 53, action: "blocked" })]);
  });

  it("refuses a #Fields line without the address columns", () => {
    const run = decode(windows, Buffer.from("#Fields: date time action protocol\n"));
    expect(run.stats.skipped).toEqual({ "bad-fields-header": 1 });
  });

  it("skips ICMP errors, keeps echo requests and ICMP of unknown type, and reads ICMP over IPv6 as ICMPv6", () => {
    const rows = [
      "2024-02-01 10:00:00 DROP ICMP 10.0.0.5 10.0.0.9 - - 56 - - - - 3 3 - RECEIVE",
      "2024-02-01 10:00:01 DROP ICMP 10.0.0.5 10.0.0.9 - - 60 - - - - 8 0 - RECEIVE",
      "2024-02-01 10:00:02 DROP ICMP fe80::1 fe80::2 - - 60 - - - - 128 0 - RECEIVE",
      "2024-02-01 10:00:03 DROP ICMP 10.0.0.5 10.0.0.9 - - 60 - - - - - - - RECEIVE",
      "2024-02-01 10:00:04 DROP 2 10.0.0.5 224.0.0.22 - - 40 - - - - - - - RECEIVE",
      "2024-02-01 10:00:05 DROP XYZ 10.0.0.5 10.0.0.9 - - 40 - - - - - - - RECEIVE",
      "2024-02-01 10:00:06 DROP TCP 10.0.0.5 10.0.0.9 - 445 40 - - - - - - - RECEIVE",
      "2024-02-01 10:00:07 DROP TCP - - 1 445 40 - - - - - - - RECEIVE",
    ];
    const run = decode(windows, Buffer.from(`${rows.join("\n")}\n`));
    expect(run.events.map((e) => [e.line, e.protocol, e.icmpType])).toEqual([[2, "icmp", 8], [3, "icmpv6", 128], [4, "icmp", null], [5, "ip-proto-2", null]]);
    expect(run.stats.skipped).toEqual({ "icmp-error": 1, "unknown-protocol": 1, "missing-port": 1, "missing-address": 1 });
  });

  it("skips a row with no date in its date column as a line of another log", () => {
    const run = decode(windows, Buffer.from("hello world this is not a firewall log at all - - - - - - - - -\n"));
    expect(run.stats.skipped).toEqual({ "not-windows-firewall": 1 });
  });

  it("treats a whitespace-only line as blank", () => {
    expect(decode(windows, Buffer.from("  \t \n")).stats.skipped).toEqual({ blank: 1 });
  });
});

describe("windows-firewall: accounting and chunk boundaries", () => {
  for (const f of [PLASO, OSSEC, AZURE]) {
    it(`${f}: same events and stats whole, cut at 1, 2, 3, 7, 64, 1000 bytes, with CRLF and without the last newline`, () => {
      const base = decode(windows, fixture(f));
      expect(balanced(base.stats)).toBe(true);
      for (const v of lineEndingVariants(fixture(f))) {
        const { whole, mismatches } = decodeAtEveryChunkSize(windows, v.data);
        expect(mismatches, v.name).toEqual([]);
        expect(whole.events, v.name).toEqual(base.events);
        expect(whole.stats, v.name).toEqual(base.stats);
      }
    });
  }

  it("reads a file that starts with a UTF-8 byte order mark", () => {
    const data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture(PLASO)]);
    expect(decode(windows, data).stats).toEqual(decode(windows, fixture(PLASO)).stats);
  });
});

describe("windows-firewall: lines of other formats are never flows", () => {
  it("reads none of 382 messages of other products (SEKOIA cases) as a flow", () => {
    const msgs = fixtureJsonl<{ message: string }>("fixtures/logs/other-formats/sekoia-intake-formats/messages.jsonl");
    const run = decode(windows, Buffer.from(msgs.map((m) => m.message).join("\n")));
    expect(run.events).toEqual([]);
    expect(balanced(run.stats)).toBe(true);
  });

  it("reads no netfilter, pfSense, Cisco ASA or Zeek line as a flow", () => {
    for (const f of [
      "fixtures/logs/netfilter/elastic-integrations/test-iptables-raw.log",
      "fixtures/logs/other-formats/elastic-integrations/test-pfsense-bsd.log",
      "fixtures/logs/other-formats/elastic-integrations/test-sample.log",
      "fixtures/logs/other-formats/zeek/Files.zeek-cut-logs.conn.log",
    ]) {
      const run = decode(windows, fixture(f));
      expect(run.events, f).toEqual([]);
      expect(Object.keys(run.stats.skipped).every((k) => ["not-windows-firewall", "header", "blank"].includes(k)), `${f}: ${JSON.stringify(run.stats.skipped)}`).toBe(true);
    }
  });
});
