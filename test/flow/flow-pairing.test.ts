import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, NONE, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from "../../src/decode/batch.js";
import { createConnectionDecoder } from "../../src/flow/capture-decoder.js";
import { createPcapDecoder } from "../../src/decode/pcap/classic.js";
import { flowOutcome, type FlowSide } from "../../src/flow/flow-outcome.js";
import { allEvents, connections } from "../decode/flow/flow-helpers.js";

/**
 * The connections portmatrix makes of a flow export are the connections of the traffic the exporter saw:
 * softflowd and pmacct read each capture in fixtures/flows/traffic/ and exported it; the capture itself, read by the
 * packet tracker, is the oracle, connection by connection and outcome by outcome.
 */
type Ev = ReturnType<typeof allEvents>[number];
const key = (e: Ev) => `${e.src} ${e.dst} ${e.proto} ${e.proto === 1 || e.proto === 58 ? e.icmpType : e.dstPort}`;

/**
 * Where the export cannot say what the capture says. softflowd's IPFIX biflow (-b) records a connection
 * whose first packet went the reverse way with forward packets 0 and the ICMPv6 type lost (tshark reads
 * type 0 in both directions of the record): neighbour discovery the capture skips as control is, from the
 * export, an ICMP exchange of unknown type in one direction, which stays inconclusive.
 */
const EXPORT_ONLY: Record<string, string[]> = {
  "kcps-customer-side.v10-biflow": ["fe80::99:1ff:fe00:1 fd00:99:1::100 58 0", "fe80::99:1ff:fe00:2 fe80::99:1ff:fe00:1 58 0"],
};

describe("connections from a flow export are the capture's connections, with the same outcome", () => {
  for (const traffic of ["ad-client", "kcps-customer-side"]) {
    const capture = allEvents(createConnectionDecoder(createPcapDecoder()), readFileSync(`fixtures/flows/traffic/${traffic}.pcap`));
    for (const v of ["v5", "v9", "v10", "v10-biflow", "pmacct-v9", "pmacct-v10"]) {
      it(`${traffic} exported as ${v}`, () => {
        const flows = connections(`${traffic}.${v}`);
        const exportOnly = EXPORT_ONLY[`${traffic}.${v}`] ?? [];
        const byKey = new Map(capture.map((e) => [key(e), e]));
        for (const e of flows) {
          if (exportOnly.includes(key(e))) { expect(e.action, key(e)).toBe(ACTION_UNKNOWN); continue; }
          const c = byKey.get(key(e));
          expect(c, `${key(e)} is a connection of the capture`).toBeDefined();
          expect([key(e), e.action], e.label).toEqual([key(c!), c!.action]);
        }
        // NetFlow v5 carries no IPv6: every IPv4 connection of the capture, and in v9/IPFIX every one.
        const expected = capture.filter((c) => v !== "v5" || c.family === 4).map(key).sort();
        expect(flows.map(key).filter((k) => !exportOnly.includes(k)).sort()).toEqual(expected);
      });
    }
  }
  it("says which flows were unanswered and which were refused, as the capture does", () => {
    const flows = connections("kcps-customer-side.v9");
    const by = (port: number) => flows.find((e) => e.proto === 6 && e.dstPort === port)!;
    expect(by(23).label).toBe("unanswered: 3 SYN packets, no reverse flow (S0)");
    expect(by(5986).label).toMatch(/^rst: the reverse flow carries RST/);
    expect(by(445).label).toBe("handshake: SYN-ACK in the reverse flow (SF/S1)");
    expect(flows.find((e) => e.proto === 17 && e.dstPort === 88)!.label).toBe("unanswered: 2 datagrams, no reverse flow (S0)");
  });
});

const side = (records: number, packets: number, flags: number): FlowSide => ({ records, packets, flags });
const NONE_SIDE = side(0, NaN, NONE);

describe("the outcome of one connection's flow records (flowOutcome)", () => {
  const cases: [string, number, FlowSide, FlowSide, number, RegExp][] = [
    ["handshake answered", 6, side(1, 6, TCP_SYN | TCP_ACK | TCP_PSH | TCP_FIN), side(1, 4, TCP_SYN | TCP_ACK | TCP_FIN), ACTION_ALLOWED, /SYN-ACK in the reverse flow/],
    ["reverse flow not exported, the client acknowledged", 6, side(1, 6, TCP_SYN | TCP_ACK), NONE_SIDE, ACTION_ALLOWED, /reverse flow was not exported/],
    ["refused with RST", 6, side(1, 1, TCP_SYN), side(1, 1, TCP_RST | TCP_ACK), ACTION_BLOCKED, /^rst:/],
    ["SYN only, no reverse flow", 6, side(1, 3, TCP_SYN), NONE_SIDE, ACTION_BLOCKED, /^unanswered: 3 SYN packets/],
    ["one SYN, no reverse flow", 6, side(1, 1, TCP_SYN), NONE_SIDE, ACTION_BLOCKED, /^unanswered: 1 SYN,/],
    ["midstream, both directions", 6, side(1, 5, TCP_ACK | TCP_PSH), side(1, 5, TCP_ACK), ACTION_ALLOWED, /start not seen/],
    ["midstream, one direction", 6, side(1, 5, TCP_ACK | TCP_PSH), NONE_SIDE, ACTION_UNKNOWN, /one direction only/],
    ["no flags in the template, both directions", 6, side(1, 5, NONE), side(1, 3, NONE), ACTION_ALLOWED, /no TCP flags/],
    ["no flags in the template, one direction", 6, side(1, 5, NONE), NONE_SIDE, ACTION_UNKNOWN, /no TCP flags/],
    ["a biflow whose reverse had 0 packets", 6, side(1, 2, TCP_SYN), side(1, 0, 0), ACTION_BLOCKED, /^unanswered/],
    ["UDP request and reply", 17, side(1, 1, NONE), side(1, 1, NONE), ACTION_ALLOWED, /request and reply/],
    ["UDP repeated, no reply", 17, side(1, 2, NONE), NONE_SIDE, ACTION_BLOCKED, /^unanswered: 2 datagrams/],
    ["UDP once, no reply", 17, side(1, 1, NONE), NONE_SIDE, ACTION_UNKNOWN, /1 datagram, no reverse flow/],
    ["ICMP echo answered", 1, side(1, 1, NONE), side(1, 1, NONE), ACTION_ALLOWED, /echo request and reply/],
    ["ICMP echo unanswered twice", 1, side(1, 2, NONE), NONE_SIDE, ACTION_BLOCKED, /^unanswered: 2 echo requests/],
  ];
  for (const [name, proto, orig, resp, action, evidence] of cases) {
    it(name, () => {
      const v = flowOutcome(proto, orig, resp);
      expect(v.action).toBe(action);
      expect(v.evidence).toMatch(evidence);
    });
  }
  it("a non-echo ICMP message in one direction proves nothing", () => {
    expect(flowOutcome(58, side(1, 3, NONE), NONE_SIDE, false).action).toBe(ACTION_UNKNOWN);
  });
});
