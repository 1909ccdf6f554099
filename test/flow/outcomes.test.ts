import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { runInputs } from "../../src/pipeline/run.js";
import { eventJson, type EventJson } from "../../src/pipeline/events.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import {
  ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, BLOCKED_BY_DESTINATION, BLOCKED_BY_NETWORK, BLOCKED_BY_UNKNOWN, BLOCKED_BY_UNSET,
  NONE, PROTO_ICMP, PROTO_TCP, PROTO_UDP,
} from "../../src/decode/batch.js";
import {
  S_ACK_ORIG, S_FIN_ORIG, S_FIN_RESP, S_ICMP_ERR, S_ICMP_FROM_DST, S_MIDSTREAM, S_ORIG_SEEN, S_RESP_SEEN, S_RST_ORIG, S_RST_RESP, S_SYN, S_SYNACK,
  decideOutcome, goesUnanswered, seconds, tenthsOf, unansweredVariant, zeekConnState, type ConnFacts,
} from "../../src/flow/outcome.js";

/**
 * The outcome of a connection as one pure function, tested two ways: on one tiny real capture per
 * behaviour (fixtures/flow/README.md says how each was made), and on facts written down by hand for
 * what a capture cannot easily show.
 */
async function connections(file: string): Promise<EventJson[]> {
  const out: EventJson[] = [];
  await runInputs([file], { decode: defaultDecodeOptions(), sink: (b, _i, input) => { for (let k = 0; k < b.length; k++) out.push(eventJson(b, k, input.path, input.format)); } });
  return out;
}
/** Zeek's state from the evidence's "(STATE, history ...)" (the last such group: "(RST)" may come earlier). */
const connState = (e: EventJson) => /\((\w+)(?:, history [^)]*)?\)(?:;[^()]*)?$/.exec(e.evidence ?? "")?.[1];

/** Per capture, every connection in it: destination port (ICMP: type), action, blockedBy, conn_state, history. */
const CAPTURES: Record<string, [number, string, string | null, string, string][]> = {
  // Who sends the first FIN depends on which process closes first: either order is Zeek's SF.
  handshake: [[445, "allowed", null, "SF", "ShADadFf"]],
  "syn-rst-destination": [[445, "allowed", null, "SF", "ShADadfF"], [4444, "blocked", "destination", "REJ", "Sr"]],
  "syn-rst-forged": [[445, "allowed", null, "SF", "ShADadFf"], [5985, "blocked", "network", "REJ", "Sr"]],
  "syn-rst-alone": [[4444, "blocked", "unknown", "REJ", "Sr"]],
  "icmp-admin-router": [[135, "blocked", "network", "S0", "S"]],
  "syn-retransmitted": [[139, "blocked", "unknown", "S0", "S"]],
  "syn-at-end": [[5000, "unknown", null, "S0", "S"]],
  "udp-reply": [[53, "allowed", null, "SF", "Dd"]],
  "udp-port-unreachable": [[53, "allowed", null, "SF", "Dd"], [9999, "blocked", "destination", "S0", "D"]],
  "udp-unanswered": [[88, "blocked", "unknown", "S0", "D"]],
  "udp-reply-then-unreachable": [[161, "allowed", null, "SF", "Dd"]],
  "udp-late-reply": [[5353, "allowed", null, "SF", "Dd"]],
  // Zeek's own cases (testing/btest/.../conn_state-RST-behavior: "R, OTH" and "SR, RSTOS0").
  "rst-alone": [[445, "unknown", null, "OTH", "R"]],
  "syn-then-rst": [[5000, "unknown", null, "RSTOS0", "SR"]],
  "syn-then-fin": [[5000, "unknown", null, "SH", "SF"]],
  "reset-by-originator": [[445, "allowed", null, "RSTO", "ShAR"]],
  "reset-by-responder": [[3389, "allowed", null, "RSTR", "ShAr"]],
  midstream: [[445, "allowed", null, "SF", "DadAfF"]],
  echo: [[8, "allowed", null, "OTH", ""]],
};

describe("one tiny capture per behaviour (fixtures/flow/captures)", () => {
  it("every capture in the folder has its expectations here", () => {
    expect(readdirSync("fixtures/flow/captures").map((f) => f.replace(/\.pcap$/, "")).sort()).toEqual(Object.keys(CAPTURES).sort());
  });
  for (const [name, expected] of Object.entries(CAPTURES)) {
    it(`${name}: ${expected.map(([p, a, by, cs, h]) => `${p} ${a}${by ? `/${by}` : ""} ${cs} ${h || "-"}`).join("; ")}`, async () => {
      const got = await connections(`fixtures/flow/captures/${name}.pcap`);
      expect(got.map((e) => [e.dstPort ?? e.icmpType, e.action, e.blockedBy, connState(e), e.history])).toEqual(expected);
    });
  }

  it("names the clue: the forged RST's TTL against the server's own, the refusal's sender", async () => {
    const forged = (await connections("fixtures/flow/captures/syn-rst-forged.pcap"))[1]!;
    expect(forged.evidence).toBe("rst: SYN answered by RST from 10.77.2.2 with TTL 64, while 10.77.2.2's own packets arrive with 63: made on the way, by a firewall answering in its name (REJ, history Sr)");
    const alone = (await connections("fixtures/flow/captures/syn-rst-alone.pcap"))[0]!;
    expect(alone.evidence).toMatch(/with TTL 63; no other packet from 10\.77\.2\.2 in this capture to compare it with/);
    // The client's own port unreachable about the server's late second answer quotes the responder's
    // packet: it says nothing about the flow and is not in its evidence.
    const late = (await connections("fixtures/flow/captures/udp-late-reply.pcap"))[0]!;
    expect(late.evidence).toBe("request and reply (SF, history Dd)");
    const later = (await connections("fixtures/flow/captures/udp-reply-then-unreachable.pcap"))[0]!;
    expect(later.evidence).toBe("request and reply; a later one drew icmp-3-3 (port unreachable) from the destination 10.77.2.2 itself (SF, history Dd)");
  });
});

const base: ConnFacts = {
  proto: PROTO_TCP, family: 4, state: 0, history: "", requests: 0, requestSpanMs: 0, waitedMs: 0, idleMs: 0, unansweredAfterMs: 5000,
  dst: "10.0.1.10", dstHeardFrom: true, rstTtl: NONE, dstTtlsAtRst: [], icmpType: NONE, icmpCode: NONE, icmpFrom: "", icmpTtl: NONE, dstTtlsAtIcmp: [],
};
const SYN_SENT = S_SYN | S_ORIG_SEEN;
const REJ = SYN_SENT | S_RST_RESP | S_RESP_SEEN;

describe("decideOutcome: facts written down", () => {
  const cases: [string, Partial<ConnFacts>, number, number, RegExp][] = [
    ["RST with the destination's own TTL", { state: REJ, history: "Sr", requests: 1, rstTtl: 63, dstTtlsAtRst: [63] }, ACTION_BLOCKED, BLOCKED_BY_DESTINATION, /^rst: .* with TTL 63, as 10\.0\.1\.10's own packets arrive: refused by 10\.0\.1\.10 itself \(REJ, history Sr\)$/],
    ["RST among two path lengths, one of them its own", { state: REJ, history: "Sr", requests: 1, rstTtl: 62, dstTtlsAtRst: [62, 63] }, ACTION_BLOCKED, BLOCKED_BY_DESTINATION, /refused by 10\.0\.1\.10 itself/],
    ["RST with another TTL: made on the way", { state: REJ, history: "Sr", requests: 1, rstTtl: 64, dstTtlsAtRst: [63] }, ACTION_BLOCKED, BLOCKED_BY_NETWORK, /with TTL 64, while 10\.0\.1\.10's own packets arrive with 63: made on the way/],
    ["RST, nothing else from the destination", { state: REJ, history: "Sr", requests: 1, rstTtl: 63, dstTtlsAtRst: [] }, ACTION_BLOCKED, BLOCKED_BY_UNKNOWN, /no other packet from 10\.0\.1\.10/],
    ["RST, the destination's TTLs vary too much", { state: REJ, history: "Sr", requests: 1, rstTtl: 63, dstTtlsAtRst: null }, ACTION_BLOCKED, BLOCKED_BY_UNKNOWN, /too many different TTLs/],
    ["RST without a captured TTL (a log-derived packet)", { state: REJ, history: "Sr", requests: 1 }, ACTION_BLOCKED, BLOCKED_BY_UNKNOWN, /TTL not captured/],
    ["ICMP from a router", { state: SYN_SENT | S_ICMP_ERR, history: "S", requests: 1, icmpType: 3, icmpCode: 13, icmpFrom: "10.0.0.1", icmpTtl: 64 }, ACTION_BLOCKED, BLOCKED_BY_NETWORK, /^icmp-3-13 \(communication administratively prohibited\) from router 10\.0\.0\.1/],
    ["ICMP port unreachable from the destination, its own TTL", { proto: PROTO_UDP, state: S_ORIG_SEEN | S_ICMP_ERR | S_ICMP_FROM_DST, history: "D", requests: 1, icmpType: 3, icmpCode: 3, icmpFrom: "10.0.1.10", icmpTtl: 63, dstTtlsAtIcmp: [63] }, ACTION_BLOCKED, BLOCKED_BY_DESTINATION, /from the destination 10\.0\.1\.10 itself/],
    ["ICMP from the destination address, nothing to compare: the address decides", { proto: PROTO_UDP, state: S_ORIG_SEEN | S_ICMP_ERR | S_ICMP_FROM_DST, requests: 1, icmpType: 3, icmpCode: 3, icmpFrom: "10.0.1.10", icmpTtl: 63, dstTtlsAtIcmp: [] }, ACTION_BLOCKED, BLOCKED_BY_DESTINATION, /itself/],
    ["ICMP from the destination address with another TTL: made on the way", { proto: PROTO_UDP, state: S_ORIG_SEEN | S_ICMP_ERR | S_ICMP_FROM_DST, requests: 1, icmpType: 3, icmpCode: 3, icmpFrom: "10.0.1.10", icmpTtl: 255, dstTtlsAtIcmp: [63] }, ACTION_BLOCKED, BLOCKED_BY_NETWORK, /TTL 255, while its own packets arrive with 63: made on the way/],
    ["ICMPv6 administratively prohibited from a router", { family: 6, state: SYN_SENT | S_ICMP_ERR, requests: 1, icmpType: 1, icmpCode: 1, icmpFrom: "fd00::1", icmpTtl: 64, dst: "fd00:2::10" }, ACTION_BLOCKED, BLOCKED_BY_NETWORK, /^icmpv6-1-1 \(administratively prohibited\) from router fd00::1/],
    ["ICMP after a SYN-ACK is about something else: allowed", { state: SYN_SENT | S_SYNACK | S_RESP_SEEN | S_ICMP_ERR, history: "Sh", requests: 1, icmpType: 3, icmpCode: 13, icmpFrom: "10.0.0.1" }, ACTION_ALLOWED, BLOCKED_BY_UNSET, /^handshake completed/],
    ["silence, retransmitted: blocked, nobody named", { state: SYN_SENT, history: "S", requests: 3, requestSpanMs: 3000 }, ACTION_BLOCKED, BLOCKED_BY_UNKNOWN, /^unanswered: 3 SYNs over 3\.0 s \(S0, history S\)$/],
    ["silence from a host never heard from", { state: SYN_SENT, history: "S", requests: 2, requestSpanMs: 1000, dstHeardFrom: false }, ACTION_BLOCKED, BLOCKED_BY_UNKNOWN, /; no packet from 10\.0\.1\.10 anywhere in this capture/],
    ["one SYN long ago", { state: SYN_SENT, history: "S", requests: 1, idleMs: 9000 }, ACTION_BLOCKED, BLOCKED_BY_UNKNOWN, /no retransmission or answer in 9\.0 s/],
    ["one SYN at the end", { state: SYN_SENT, history: "S", requests: 1, idleMs: 100 }, ACTION_UNKNOWN, BLOCKED_BY_UNSET, /^single SYN too close to the end/],
    ["SYN, then the originator's RST after 6 s (RSTOS0)", { state: SYN_SENT | S_RST_ORIG, history: "SR", requests: 1, waitedMs: 6000 }, ACTION_BLOCKED, BLOCKED_BY_UNKNOWN, /gave up \(RST\) after 6\.0 s \(RSTOS0, history SR\)/],
    ["UDP, one datagram", { proto: PROTO_UDP, state: S_ORIG_SEEN, history: "D", requests: 1, idleMs: 60000 }, ACTION_UNKNOWN, BLOCKED_BY_UNSET, /^one datagram, no reply \(S0, history D\)$/],
    ["UDP reply only (SHR)", { proto: PROTO_UDP, state: S_RESP_SEEN | S_MIDSTREAM, history: "^d" }, ACTION_UNKNOWN, BLOCKED_BY_UNSET, /^reply only, request not captured \(SHR, history \^d\)$/],
    ["echo requests unanswered", { proto: PROTO_ICMP, state: S_ORIG_SEEN, requests: 2, requestSpanMs: 1000 }, ACTION_BLOCKED, BLOCKED_BY_UNKNOWN, /^unanswered: 2 echo requests over 1\.0 s \(OTH\)/],
  ];
  for (const [name, facts, action, by, evidence] of cases) {
    it(name, () => {
      const r = decideOutcome({ ...base, ...facts });
      expect([r.action, r.blockedBy]).toEqual([action, by]);
      expect(r.evidence).toMatch(evidence);
    });
  }
});

describe("zeekConnState: Zeek's conn_state from the state bits (base/protocols/conn/main.zeek)", () => {
  const E = SYN_SENT | S_SYNACK | S_RESP_SEEN | S_ACK_ORIG;
  const cases: [string, number, number, string, string][] = [
    ["S0: attempt, no reply", PROTO_TCP, SYN_SENT, "S", "S0"],
    ["REJ: SYN answered by RST", PROTO_TCP, REJ, "Sr", "REJ"],
    ["S1: established, not closed", PROTO_TCP, E, "ShA", "S1"],
    ["SF: both closed", PROTO_TCP, E | S_FIN_ORIG | S_FIN_RESP, "ShAFf", "SF"],
    ["S2: originator closed, no answer to it", PROTO_TCP, E | S_FIN_ORIG, "ShAF", "S2"],
    ["S3: responder closed", PROTO_TCP, E | S_FIN_RESP, "ShAf", "S3"],
    ["RSTO", PROTO_TCP, E | S_RST_ORIG, "ShAR", "RSTO"],
    ["RSTR", PROTO_TCP, E | S_RST_RESP, "ShAr", "RSTR"],
    ["RSTOS0: SYN then the originator's RST", PROTO_TCP, SYN_SENT | S_RST_ORIG, "SR", "RSTOS0"],
    ["RSTOS0: S, a responder's pure ACK, R (Zeek's SaR)", PROTO_TCP, SYN_SENT | S_RESP_SEEN | S_RST_ORIG | S_ACK_ORIG, "SaR", "RSTOS0"],
    ["OTH: S a F R (Zeek's SaFR)", PROTO_TCP, SYN_SENT | S_RESP_SEEN | S_RST_ORIG | S_FIN_ORIG, "SaFR", "OTH"],
    ["OTH: a lone RST (Zeek's single-rst)", PROTO_TCP, S_ORIG_SEEN | S_RST_ORIG | S_MIDSTREAM, "R", "OTH"],
    ["RSTRH: responder SYN-ACK then RST, no SYN", PROTO_TCP, S_SYNACK | S_RESP_SEEN | S_RST_RESP | S_MIDSTREAM, "^hr", "RSTRH"],
    ["SH: SYN then FIN, no SYN-ACK", PROTO_TCP, SYN_SENT | S_FIN_ORIG, "SF", "SH"],
    ["SHR: SYN-ACK then FIN, no SYN", PROTO_TCP, S_SYNACK | S_RESP_SEEN | S_FIN_RESP | S_MIDSTREAM, "^hf", "SHR"],
    ["UDP SF", PROTO_UDP, S_ORIG_SEEN | S_RESP_SEEN, "Dd", "SF"],
    ["UDP S0", PROTO_UDP, S_ORIG_SEEN, "D", "S0"],
    ["UDP SHR", PROTO_UDP, S_RESP_SEEN, "^d", "SHR"],
    ["ICMP is always OTH", PROTO_ICMP, S_ORIG_SEEN | S_RESP_SEEN, "", "OTH"],
  ];
  for (const [name, proto, st, history, want] of cases) {
    it(name, () => expect(zeekConnState(proto, st, history)).toBe(want));
  }
});

describe("the unanswered outcome named by numbers (tracker.ts unansweredMemo)", () => {
  it("tenthsOf is the tenth seconds() writes, or -1 (midpoints, out of range)", () => {
    let seed = 11;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const values: number[] = [];
    // Midpoints between tenths, in binary a hair above or below (1150 ms is 1.149999... s: "1.1").
    for (let k = 0; k < 20_000; k++) values.push(k * 100 + 50, k * 100 + 50 + 1e-9, k * 100 + 50 - 1e-9, k * 100);
    for (let k = 0; k < 100_000; k++) values.push(rnd() * 1e8, Math.round(rnd() * 1e7) / 1000, rnd() * 10);
    let named = 0;
    const wrong: string[] = [];
    for (const ms of values) {
      const n = tenthsOf(ms);
      if (n < 0) continue;
      named++;
      if ((n / 10).toFixed(1) !== seconds(ms)) wrong.push(`${ms}: ${(n / 10).toFixed(1)}, not ${seconds(ms)}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // Only midpoints are left to the string: nearly every random time is named.
    expect(named).toBeGreaterThan(values.length - 70_000);
    for (const ms of [-1, -0.01, NaN, Infinity, -Infinity, 2 ** 26 * 100]) expect(tenthsOf(ms)).toBe(-1);
    expect(tenthsOf(0)).toBe(0);
    expect(tenthsOf(1149.9)).toBe(11);
  });

  it("facts with equal protocol class, state bits, history and variant have equal outcomes", () => {
    let seed = 5;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const bits = [S_SYN, S_SYNACK, S_RST_RESP, S_RST_ORIG, S_MIDSTREAM, S_ICMP_ERR, S_RESP_SEEN, S_ORIG_SEEN, S_ICMP_FROM_DST, S_FIN_ORIG, S_FIN_RESP, S_ACK_ORIG];
    const groups = new Map<string, { evidence: string; action: number; blockedBy: number }>();
    let compared = 0;
    let unanswered = 0;
    const wrong: string[] = [];
    for (let n = 0; n < 200_000; n++) {
      let st = 0;
      for (const b of bits) if (rnd() < 0.3) st |= b;
      const proto = pick([PROTO_TCP, PROTO_UDP, PROTO_ICMP, 58, 47]);
      // What the variant says does not matter is drawn anew for each: the address, family, TTLs, ICMP fields.
      const f: ConnFacts = {
        ...base, proto, state: st, family: pick([4, 6]), history: proto === PROTO_TCP || proto === PROTO_UDP ? pick(["S", "D", "SR", "^d", ""]) : "",
        requests: pick([0, 1, 1, 2, 3, 40]), requestSpanMs: pick([0, 1000, 1040, 1049.9, 1050.1, 2000, 4999.99]),
        waitedMs: pick([100, 4999, 5000, 6040, 6049, 6051, 9000]), idleMs: pick([0, 4999.999, 5000, 5001, 5049, 30_640, 30_649]),
        dst: pick(["10.0.1.10", "10.0.1.11", "fd00::1"]), rstTtl: pick([NONE, 63, 64]), dstTtlsAtRst: pick([[], [63], null]),
        icmpType: pick([NONE, 3]), icmpCode: pick([NONE, 1, 13]), icmpFrom: pick(["", "10.0.0.1"]), icmpTtl: pick([NONE, 64]), dstTtlsAtIcmp: pick([[], [63]]),
      };
      if (!goesUnanswered(proto, st)) continue;
      unanswered++;
      const variant = unansweredVariant(proto, st, f.requests, f.requestSpanMs, f.waitedMs, f.idleMs, f.unansweredAfterMs);
      if (variant < 0) continue;
      const r = decideOutcome(f);
      const key = `${proto === PROTO_TCP ? 0 : proto === PROTO_UDP ? 1 : 2} ${st} ${f.history} ${variant}`;
      const seen = groups.get(key);
      const got = { evidence: r.evidence, action: r.action, blockedBy: r.blockedBy };
      if (seen === undefined) groups.set(key, got);
      else {
        compared++;
        if (got.evidence !== seen.evidence || got.action !== seen.action || got.blockedBy !== seen.blockedBy) wrong.push(`${key}: ${JSON.stringify(got)}, not ${JSON.stringify(seen)}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // Every branch of `unanswered` met, most facts shared a variant with earlier ones.
    const texts = [...groups.values()].map((g) => g.evidence);
    for (const clue of [/^unanswered: \d+ SYNs over/, /^unanswered: \d+ datagrams over/, /gave up \(RST\) after/, /no retransmission or answer in/, /^one datagram, no reply/, /^single echo request too close/, /^one SYN, then the originator gave up/]) {
      expect(texts.some((t) => clue.test(t))).toBe(true);
    }
    expect(compared).toBeGreaterThan(unanswered / 2);
  });

  it("goesUnanswered is true exactly where the outcome is unanswered's (its clues), with the destination heard from", () => {
    const bits = [S_SYN, S_SYNACK, S_RST_RESP, S_RST_ORIG, S_MIDSTREAM, S_ICMP_ERR, S_RESP_SEEN, S_ORIG_SEEN, S_ICMP_FROM_DST];
    const unansweredClue = /^(unanswered: |one datagram, no reply|one (SYN|echo request), then the originator gave up|single (SYN|echo request) too close)/;
    for (const proto of [PROTO_TCP, PROTO_UDP, PROTO_ICMP]) {
      for (let st = 0; st < 1 << bits.length; st++) {
        let state = 0;
        bits.forEach((b, k) => { if (st & (1 << k)) state |= b; });
        for (const requests of [1, 2]) {
          const r = decideOutcome({ ...base, proto, state, requests, icmpType: 3, icmpCode: 1, icmpFrom: "10.0.0.1", history: "S" });
          expect(`${proto} ${state} ${unansweredClue.test(r.evidence)}`).toBe(`${proto} ${state} ${goesUnanswered(proto, state)}`);
        }
      }
    }
  });
});
