import { describe, it, expect } from "vitest";
import { FlowTracker, DEFAULT_TIMEOUTS } from "../../src/flow/tracker.js";
import {
  ACTION_NAMES, BLOCKED_BY_NAMES, NONE, PROTO_ICMP, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_RST, TCP_SYN, commit, createBatch, reserve, type EventBatch,
} from "../../src/decode/batch.js";
import { parseAddr, formatAddr } from "../../src/net/addr.js";

interface Pkt { t: number; src: string; dst: string; proto: number; sp?: number; dp?: number; flags?: number; seq?: number; type?: number; code?: number; ttl?: number; iface?: number; inner?: { src: string; dst: string; proto: number; sp: number; dp: number } }

function packets(list: Pkt[]): EventBatch {
  const b = createBatch(Math.max(1, list.length));
  list.forEach((p, n) => {
    const i = reserve(b);
    b.family[i] = parseAddr(p.src, b.src, i * 4);
    parseAddr(p.dst, b.dst, i * 4);
    b.proto[i] = p.proto;
    b.srcPort[i] = p.sp ?? NONE;
    b.dstPort[i] = p.dp ?? NONE;
    b.tcpFlags[i] = p.flags ?? NONE;
    b.tcpSeq[i] = p.seq ?? 0;
    b.icmpType[i] = p.type ?? NONE;
    b.icmpCode[i] = p.code ?? NONE;
    b.time[i] = p.t;
    b.position[i] = n * 100;
    b.ttl[i] = p.ttl ?? NONE;
    b.iface[i] = p.iface ?? 0;
    if (p.inner) {
      b.innerProto[i] = p.inner.proto;
      parseAddr(p.inner.src, b.innerSrc, i * 4);
      parseAddr(p.inner.dst, b.innerDst, i * 4);
      b.innerSrcPort[i] = p.inner.sp;
      b.innerDstPort[i] = p.inner.dp;
    }
    commit(b);
  });
  return b;
}

interface Conn { src: string; dst: string; proto: number; sp: number; dp: number; type: number; action: string; evidence: string; flags: number; blockedBy: string | null; history: string | undefined }
function run(list: Pkt[], tracker = new FlowTracker()): Conn[] {
  const out: Conn[] = [];
  const take = (c: EventBatch) => {
    for (let i = 0; i < c.length; i++) {
      out.push({
        src: formatAddr(c.family[i]!, c.src, i * 4), dst: formatAddr(c.family[i]!, c.dst, i * 4), proto: c.proto[i]!,
        sp: c.srcPort[i]!, dp: c.dstPort[i]!, type: c.icmpType[i]!, action: ACTION_NAMES[c.action[i]!]!,
        evidence: c.labels.get(c.label[i]!) ?? "", flags: c.tcpFlags[i]!, blockedBy: BLOCKED_BY_NAMES[c.blockedBy[i]!] ?? null,
        history: c.labels.get(c.history[i]!),
      });
    }
  };
  tracker.addPackets(packets(list), take);
  tracker.end(take);
  return out;
}

const C = "10.0.0.5", S = "10.0.1.10", R = "10.0.0.1";
const syn = (t: number, sp = 50000, dp = 445): Pkt => ({ t, src: C, dst: S, proto: PROTO_TCP, sp, dp, flags: TCP_SYN });

describe("connection outcomes", () => {
  it("a completed handshake is allowed, oriented from the SYN's sender", () => {
    const c = run([syn(0), { t: 1, src: S, dst: C, proto: PROTO_TCP, sp: 445, dp: 50000, flags: TCP_SYN | TCP_ACK }, { t: 2, src: C, dst: S, proto: PROTO_TCP, sp: 50000, dp: 445, flags: TCP_ACK }]);
    expect(c).toEqual([expect.objectContaining({ src: C, dst: S, sp: 50000, dp: 445, action: "allowed", evidence: "handshake completed (S1, history ShA)", flags: TCP_SYN })]);
  });
  it("a SYN answered by RST is blocked (REJ) and names the destination; without TTLs it cannot say who sent it", () => {
    const c = run([syn(0), { t: 1, src: S, dst: C, proto: PROTO_TCP, sp: 445, dp: 50000, flags: TCP_RST | TCP_ACK }]);
    expect(c[0]).toMatchObject({ action: "blocked", blockedBy: "unknown" });
    expect(c[0]!.evidence).toBe("rst: SYN answered by RST from 10.0.1.10 (TTL not captured) (REJ, history Sr)");
  });
  it("retransmitted SYNs with no answer are blocked; one SYN at the very end is inconclusive; one SYN long before the end is blocked", () => {
    expect(run([syn(0), syn(1000), syn(3000)])[0]).toMatchObject({ action: "blocked" });
    expect(run([syn(0), syn(1000), syn(3000)])[0]!.evidence).toMatch(/^unanswered: 3 SYNs over 3\.0 s \(S0, history S\)/);
    expect(run([syn(0)])[0]).toMatchObject({ action: "unknown", evidence: "single SYN too close to the end of the capture (S0, history S)" });
    expect(run([syn(0), { t: 9000, src: "10.9.9.9", dst: "10.9.9.8", proto: PROTO_UDP, sp: 1, dp: 2 }])[0]).toMatchObject({ action: "blocked" });
  });
  it("warns when the unanswered destination never sent a packet at all (a one-sided capture?)", () => {
    const silent = run([syn(0), syn(1000)]);
    expect(silent[0]!.evidence).toBe("unanswered: 2 SYNs over 1.0 s (S0, history S); no packet from 10.0.1.10 anywhere in this capture: a drop, or a capture that sees one direction only");
    const answeredOthers = run([
      { t: 0, src: C, dst: S, proto: PROTO_UDP, sp: 40000, dp: 53 }, { t: 1, src: S, dst: C, proto: PROTO_UDP, sp: 53, dp: 40000 },
      syn(2), syn(1002),
    ]);
    expect(answeredOthers.find((c) => c.proto === PROTO_TCP)!.evidence).toBe("unanswered: 2 SYNs over 1.0 s (S0, history S)");
  });
  it("the same SYN seen on two capture interfaces a few microseconds apart is one SYN, not a retransmission", () => {
    expect(run([syn(0), syn(0.02)])[0]).toMatchObject({ action: "unknown" });
  });
  it("an ICMP error quoting the attempt blocks it and says whether a router or the destination sent it", () => {
    const q = { src: C, dst: S, proto: PROTO_TCP, sp: 50000, dp: 135 };
    const viaRouter = run([syn(0, 50000, 135), { t: 1, src: R, dst: C, proto: PROTO_ICMP, type: 3, code: 13, inner: q }]);
    expect(viaRouter).toHaveLength(1);
    expect(viaRouter[0]).toMatchObject({ action: "blocked", evidence: "icmp-3-13 (communication administratively prohibited) from router 10.0.0.1 (S0, history S)", dp: 135 });
    const udpQ = { src: C, dst: S, proto: PROTO_UDP, sp: 40000, dp: 161 };
    const fromDst = run([{ t: 0, src: C, dst: S, proto: PROTO_UDP, sp: 40000, dp: 161 }, { t: 1, src: S, dst: C, proto: PROTO_ICMP, type: 3, code: 3, inner: udpQ }]);
    expect(fromDst[0]).toMatchObject({ action: "blocked", evidence: "icmp-3-3 (port unreachable) from the destination 10.0.1.10 itself (S0, history D)" });
  });
  it("an ICMP error whose attempt was not captured still gives that attempt, not an ICMP connection", () => {
    const c = run([{ t: 1, src: R, dst: C, proto: PROTO_ICMP, type: 3, code: 10, inner: { src: C, dst: S, proto: PROTO_TCP, sp: 50001, dp: 3389 } }]);
    expect(c).toEqual([expect.objectContaining({ src: C, dst: S, proto: PROTO_TCP, dp: 3389, action: "blocked" })]);
  });
  it("UDP: request and reply allowed, repeated requests blocked, a single datagram inconclusive", () => {
    expect(run([{ t: 0, src: C, dst: S, proto: PROTO_UDP, sp: 40000, dp: 53 }, { t: 1, src: S, dst: C, proto: PROTO_UDP, sp: 53, dp: 40000 }])[0]).toMatchObject({ action: "allowed", src: C, dp: 53 });
    expect(run([{ t: 0, src: C, dst: S, proto: PROTO_UDP, sp: 40000, dp: 88 }, { t: 1000, src: C, dst: S, proto: PROTO_UDP, sp: 40000, dp: 88 }])[0]).toMatchObject({ action: "blocked" });
    expect(run([{ t: 0, src: C, dst: S, proto: PROTO_UDP, sp: 40000, dp: 138 }])[0]).toMatchObject({ action: "unknown" });
  });
  it("a reply seen first (start not captured) is turned around by the service port", () => {
    const c = run([{ t: 0, src: S, dst: C, proto: PROTO_UDP, sp: 53, dp: 40000 }, { t: 1, src: C, dst: S, proto: PROTO_UDP, sp: 40000, dp: 53 }]);
    expect(c[0]).toMatchObject({ src: C, dst: S, dp: 53, action: "allowed" });
    const mid = run([{ t: 0, src: S, dst: C, proto: PROTO_TCP, sp: 445, dp: 50000, flags: TCP_ACK }, { t: 1, src: C, dst: S, proto: PROTO_TCP, sp: 50000, dp: 445, flags: TCP_ACK }]);
    expect(mid[0]).toMatchObject({ src: C, dst: S, dp: 445, action: "allowed", flags: NONE });
  });
  it("echo request and reply are one allowed exchange; neighbour discovery is not a flow", () => {
    const notFlow: string[] = [];
    const t = new FlowTracker();
    t.notFlow = (r) => notFlow.push(r);
    const c = run([
      { t: 0, src: C, dst: S, proto: PROTO_ICMP, type: 8, code: 0 },
      { t: 1, src: S, dst: C, proto: PROTO_ICMP, type: 0, code: 0 },
      { t: 2, src: "fe80::1", dst: "ff02::1:ff00:1", proto: 58, type: 135, code: 0 },
    ], t);
    expect(c).toEqual([expect.objectContaining({ src: C, dst: S, proto: PROTO_ICMP, type: 8, action: "allowed" })]);
    expect(notFlow).toEqual(["icmpv6-control"]);
  });
});

describe("who sent a refusal: TTLs compared per capture interface", () => {
  // A capture on both interfaces of a router (dumpcap -i a -i b): the server's packets are seen with
  // 64 beside it (interface 1) and 63 after the router (interface 0). The router's forged RST for
  // another port leaves on interface 0 with its own 64: only against interface 0's 63 is it a forgery.
  const tcp = (t: number, src: string, dst: string, sp: number, dp: number, flags: number, ttl: number, iface: number): Pkt => ({ t, src, dst, proto: PROTO_TCP, sp, dp, flags, ttl, iface });
  const both = [
    tcp(0, C, S, 50000, 445, TCP_SYN, 64, 0), tcp(0.01, C, S, 50000, 445, TCP_SYN, 63, 1),
    tcp(1, S, C, 445, 50000, TCP_SYN | TCP_ACK, 64, 1), tcp(1.01, S, C, 445, 50000, TCP_SYN | TCP_ACK, 63, 0),
    tcp(2, C, S, 50001, 5985, TCP_SYN, 64, 0), tcp(2.1, S, C, 5985, 50001, TCP_RST | TCP_ACK, 64, 0),
    tcp(3, C, S, 50002, 5986, TCP_SYN, 64, 0), tcp(3.01, C, S, 50002, 5986, TCP_SYN, 63, 1),
    tcp(3.1, S, C, 5986, 50002, TCP_RST | TCP_ACK, 64, 1), tcp(3.11, S, C, 5986, 50002, TCP_RST | TCP_ACK, 63, 0),
  ];
  it("the router's RST with 64 where the server's packets arrive with 63 is the network's; the server's own RST is the destination's", () => {
    const c = run(both);
    const by = (dp: number) => c.find((x) => x.dp === dp)!;
    expect(by(5985)).toMatchObject({ action: "blocked", blockedBy: "network", history: "Sr" });
    expect(by(5985).evidence).toMatch(/with TTL 64, while 10\.0\.1\.10's own packets arrive with 63/);
    // The first RST seen of 5986 is the copy beside the server (64, interface 1), where the server's packets are 64 too.
    expect(by(5986)).toMatchObject({ action: "blocked", blockedBy: "destination" });
  });
});

describe("idle timeouts are capture time, not table housekeeping", () => {
  it("the same 5-tuple after its idle timeout is a new connection even when no sweep ran in between", () => {
    // Two pings 40 s apart (ICMP idle timeout 30 s) and two SYNs from one source port 400 s apart
    // (TCP 300 s): a short capture never sweeps, yet each pair is two attempts.
    const ping = (t: number): Pkt => ({ t, src: C, dst: S, proto: PROTO_ICMP, type: 8 });
    const pong = (t: number): Pkt => ({ t, src: S, dst: C, proto: PROTO_ICMP, type: 0 });
    const c = run([ping(0), pong(1), ping(40_000), syn(41_000), syn(441_000), syn(442_000)]);
    const icmp = c.filter((x) => x.proto === PROTO_ICMP);
    expect(icmp.map((x) => [x.action, x.evidence.slice(0, 10)])).toEqual([["allowed", "echo reque"], ["blocked", "unanswered"]]);
    const tcp = c.filter((x) => x.proto === PROTO_TCP);
    expect(tcp).toHaveLength(2);
    // The first SYN's connection ends after one SYN, long before the end: unanswered, blocked.
    expect(tcp.map((x) => x.action).sort()).toEqual(["blocked", "blocked"]);
  });

  it("an ICMP error quoting a datagram of a connection idle past its timeout is about a new attempt", () => {
    const q = { src: C, dst: S, proto: PROTO_UDP, sp: 40000, dp: 161 };
    const c = run([{ t: 0, ...q }, { t: 100_000, src: S, dst: C, proto: PROTO_ICMP, type: 3, code: 3, inner: q }]);
    expect(c.map((x) => [x.action, x.evidence.slice(0, 8)]).sort()).toEqual([["blocked", "icmp-3-3"], ["unknown", "one data"]]);
  });

  it("gives the same connections whether or not a sweep ran between the packets", () => {
    // Feeding the packets in one batch never sweeps; in batches of one, a tracker whose sweep threshold
    // is reached sweeps between them. Out-of-order times included.
    const q = { src: C, dst: S, proto: PROTO_UDP, sp: 40000, dp: 161 };
    const list: Pkt[] = [
      { t: 0, ...q }, { t: 70_000, src: C, dst: S, proto: PROTO_UDP, sp: 40001, dp: 161 }, { t: 50_000, ...q },
      { t: 100_000, src: S, dst: C, proto: PROTO_ICMP, type: 3, code: 3, inner: q },
      { t: 100_500, src: C, dst: S, proto: PROTO_ICMP, type: 8 }, { t: 140_000, src: C, dst: S, proto: PROTO_ICMP, type: 8 },
      syn(150_000), syn(460_000), { t: 460_001, src: S, dst: C, proto: PROTO_TCP, sp: 445, dp: 50000, flags: TCP_SYN | TCP_ACK },
    ];
    // The one-sided-capture remark says what was known when the connection ended, so it may differ;
    // the connections, their outcomes and evidence may not.
    const key = (c: Conn[]) => c.map((x) => `${x.proto} ${x.src}>${x.dst} ${x.sp}/${x.dp}/${x.type} ${x.action} ${x.evidence.split("; no packet from")[0]}`).sort();
    const oneBatch = key(run(list));
    // A filler connection alive throughout keeps the live count at the sweep threshold's minimum.
    const stepwise: Conn[] = [];
    const tracker = new FlowTracker();
    const take = (b: EventBatch) => { for (let i = 0; i < b.length; i++) stepwise.push({ src: formatAddr(b.family[i]!, b.src, i * 4), dst: formatAddr(b.family[i]!, b.dst, i * 4), proto: b.proto[i]!, sp: b.srcPort[i]!, dp: b.dstPort[i]!, type: b.icmpType[i]!, action: ACTION_NAMES[b.action[i]!]!, evidence: b.labels.get(b.label[i]!) ?? "", flags: b.tcpFlags[i]!, blockedBy: null, history: undefined }); };
    for (const p of list) {
      tracker.addPackets(packets([p]), take);
      (tracker as unknown as { sweep(emit: typeof take, all: boolean): void }).sweep(take, false);
    }
    tracker.end(take);
    expect(key(stepwise)).toEqual(oneBatch);
    expect(oneBatch.length).toBeGreaterThanOrEqual(6);
  });
});

describe("memory stays bounded on long captures", () => {
  it("idle connections are finalised and evicted, so the live table does not grow with the capture", () => {
    const tracker = new FlowTracker({ ...DEFAULT_TIMEOUTS, udp: 1000 });
    let emitted = 0;
    const take = (c: EventBatch) => { emitted += c.length; };
    // 200 seconds of traffic, 1,000 new short UDP exchanges per second.
    for (let sec = 0; sec < 200; sec++) {
      const list: Pkt[] = [];
      for (let k = 0; k < 1000; k++) {
        const t = sec * 1000 + k;
        const sp = 1024 + ((sec * 1000 + k) % 60000);
        const host = `10.1.${sec % 200}.${1 + (k % 250)}`;
        list.push({ t, src: host, dst: S, proto: PROTO_UDP, sp, dp: 53 }, { t: t + 0.5, src: S, dst: host, proto: PROTO_UDP, sp: 53, dp: sp });
      }
      tracker.addPackets(packets(list), take);
    }
    tracker.end(take);
    expect(emitted).toBe(200_000);
    expect(tracker.stats.evicted).toBeGreaterThan(150_000);
    expect(tracker.stats.peakLive).toBeLessThan(200_000 / 10);
  });
});

describe("the memo of outcomes (FlowTracker.finalise) gives what deciding each outcome afresh gives", () => {
  /** Every field of every connection, with the memo on or off. */
  /** With `engine` "wasm" the module's sweeps finalise the connections and its memo is the one (wasm-tracker.ts). */
  const track = (list: Pkt[], memoise: boolean, engine: "js" | "wasm" = "js", reserved?: number) => {
    const tracker = new FlowTracker({ ...DEFAULT_TIMEOUTS, udp: 20_000, icmp: 10_000, tcp: 40_000 }, undefined, reserved);
    tracker.memoise = memoise;
    tracker.engine = engine;
    const out = run(list, tracker);
    return { out, stats: tracker.stats };
  };

  it("on random traffic between a few hosts: every flag combination, replies, RSTs with TTLs, ICMP errors, long histories", () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const hosts = ["10.0.0.1", "10.0.0.2", "10.0.1.10", "10.0.1.11", "192.0.2.1", "fd00::1", "fd00::2"];
    const flagSets = [TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_RST, TCP_RST | TCP_ACK, 0x18, 0x11, 0x01, 0x05, NONE];
    const list: Pkt[] = [];
    let t = 0;
    for (let n = 0; n < 30_000; n++) {
      t += rnd() * 40;
      const v6 = rnd() < 0.15;
      const a = v6 ? pick(hosts.slice(5)) : pick(hosts.slice(0, 5));
      const b = v6 ? pick(hosts.slice(5)) : pick(hosts.slice(0, 5));
      const sp = pick([50000, 50001, 50002, 53, 445]);
      const dp = pick([445, 53, 135, 50000]);
      const r = rnd();
      const ttl = pick([64, 63, 128, 255, NONE]);
      if (r < 0.55) list.push({ t, src: a, dst: b, proto: PROTO_TCP, sp, dp, flags: pick(flagSets), ttl, iface: pick([0, 0, 1]) });
      else if (r < 0.85) list.push({ t, src: a, dst: b, proto: PROTO_UDP, sp, dp, ttl });
      else if (r < 0.93 && !v6) list.push({ t, src: a, dst: b, proto: PROTO_ICMP, type: pick([8, 0, 13]), code: 0, ttl });
      else if (!v6) {
        // An ICMP error quoting a packet between two of the hosts, from one of them or a router.
        list.push({ t, src: pick([R, b]), dst: a, proto: PROTO_ICMP, type: 3, code: pick([1, 3, 13]), ttl,
          inner: { src: a, dst: b, proto: pick([PROTO_TCP, PROTO_UDP]), sp, dp } });
      }
    }
    const on = track(list, true);
    const off = track(list, false);
    expect(on.out.length).toBeGreaterThan(1000);
    expect(on.out).toEqual(off.out);
    expect(on.stats).toEqual(off.stats);
    // The module's memo: of its full size, and of 16 slots (a reservation of 16 records), where keys
    // share slots and the memo is emptied again and again.
    for (const reserved of [undefined, 16]) {
      const wasm = track(list, true, "wasm", reserved);
      expect(wasm.out).toEqual(off.out);
      expect(wasm.stats).toEqual(off.stats);
    }
    // The memo was used, on long histories too.
    expect(new Set(on.out.map((c) => c.evidence)).size).toBeGreaterThan(50);
    expect(on.out.some((c) => (c.history ?? "").replace("^", "").length > 8)).toBe(true);
  });

  it("on unanswered attempts whose texts repeat: counts and times in the text, silent destinations named (the unanswered memo)", () => {
    const list: Pkt[] = [];
    const shake = (t: number, sp: number) => {
      list.push({ t, src: C, dst: S, proto: PROTO_TCP, sp, dp: 445, flags: TCP_SYN, seq: 1 });
      list.push({ t: t + 1, src: S, dst: C, proto: PROTO_TCP, sp: 445, dp: sp, flags: TCP_SYN | TCP_ACK, seq: 7 });
      list.push({ t: t + 2, src: C, dst: S, proto: PROTO_TCP, sp, dp: 445, flags: TCP_ACK, seq: 2 });
    };
    shake(0, 50000);
    list.push({ t: 3, src: S, dst: C, proto: PROTO_ICMP, type: 0, code: 0 });
    for (let k = 0; k < 300; k++) {
      const t = 10 + k * 2000;
      // Retransmitted SYNs, 1 s apart; one SYN; one datagram; two datagrams 0.5 s apart; to a host heard from.
      list.push({ t, src: C, dst: S, proto: PROTO_TCP, sp: 40000 + k, dp: 139, flags: TCP_SYN, seq: 1 });
      list.push({ t: t + 1000, src: C, dst: S, proto: PROTO_TCP, sp: 40000 + k, dp: 139, flags: TCP_SYN, seq: 1 });
      list.push({ t: t + 1, src: C, dst: S, proto: PROTO_TCP, sp: 41000 + k, dp: 3389, flags: TCP_SYN, seq: 1 });
      list.push({ t: t + 2, src: C, dst: S, proto: PROTO_UDP, sp: 42000 + k, dp: 161 });
      list.push({ t: t + 3, src: C, dst: S, proto: PROTO_UDP, sp: 43000 + k, dp: 162 });
      list.push({ t: t + 503, src: C, dst: S, proto: PROTO_UDP, sp: 43000 + k, dp: 162 });
      // The same to four hosts never heard from: each text names its destination.
      list.push({ t: t + 4, src: C, dst: `10.0.2.${k % 4}`, proto: PROTO_TCP, sp: 44000 + k, dp: 445, flags: TCP_SYN, seq: 1 });
      list.push({ t: t + 1004, src: C, dst: `10.0.2.${k % 4}`, proto: PROTO_TCP, sp: 44000 + k, dp: 445, flags: TCP_SYN, seq: 1 });
      // A SYN the originator gives up on (RST) 6 s later; a completed handshake (the memo of answered ones).
      list.push({ t: t + 5, src: C, dst: S, proto: PROTO_TCP, sp: 45000 + k, dp: 445, flags: TCP_SYN, seq: 1 });
      list.push({ t: t + 6005, src: C, dst: S, proto: PROTO_TCP, sp: 45000 + k, dp: 445, flags: TCP_RST, seq: 2 });
      shake(t + 6, 46000 + k);
      // The same retransmitted SYNs with a packet from the destination that adds no letter (no flags known): OTH, not S0.
      if (k % 10 === 0) {
        list.push({ t, src: C, dst: S, proto: PROTO_TCP, sp: 48000 + k, dp: 139, flags: TCP_SYN, seq: 1 });
        list.push({ t: t + 1000, src: C, dst: S, proto: PROTO_TCP, sp: 48000 + k, dp: 139, flags: TCP_SYN, seq: 1 });
        list.push({ t: t + 1500, src: S, dst: C, proto: PROTO_TCP, sp: 139, dp: 48000 + k });
      }
      // Echo requests 1 s apart, every 12 s (one connection within the ICMP timeout).
      if (k % 6 === 0) {
        list.push({ t: t + 7, src: C, dst: S, proto: PROTO_ICMP, type: 8, code: 0 });
        list.push({ t: t + 1007, src: C, dst: S, proto: PROTO_ICMP, type: 8, code: 0 });
      }
    }
    // Histories of 10 letters alike in their first 8 (and in state bits, requests and span), told apart by the 9th.
    for (let k = 0; k < 4; k++) {
      const t = 700_000 + k * 5000;
      const sp = 47000 + k;
      for (let j = 0; j < 8; j++) list.push({ t: t + j * 200, src: C, dst: S, proto: PROTO_TCP, sp, dp: 445, flags: TCP_SYN, seq: j + 1 });
      const fin: Pkt = { t: t + (k % 2 ? 1900 : 1600), src: C, dst: S, proto: PROTO_TCP, sp, dp: 445, flags: 0x01, seq: 50 };
      list.push(fin, { t: t + 1800, src: C, dst: S, proto: PROTO_TCP, sp, dp: 445, flags: TCP_SYN, seq: 9 });
    }
    list.sort((a, b) => a.t - b.t);
    const tracked = (memoise: boolean, engine: "js" | "wasm", reserved?: number) => {
      const tracker = new FlowTracker({ ...DEFAULT_TIMEOUTS, udp: 20_000, icmp: 10_000, tcp: 40_000 }, undefined, reserved);
      tracker.memoise = memoise;
      tracker.engine = engine;
      return { out: run(list, tracker), stats: tracker.stats, afresh: tracker.decidedAfresh };
    };
    const off = tracked(false, "js");
    const on = tracked(true, "js");
    expect(on.out).toEqual(off.out);
    expect(on.stats).toEqual(off.stats);
    for (const reserved of [undefined, 16]) {
      const wasm = tracked(true, "wasm", reserved);
      expect(wasm.out).toEqual(off.out);
      expect(wasm.stats).toEqual(off.stats);
      // The module's misses asked again where an outcome was learnt in the same sweep: as many decided as in JS.
      if (reserved === undefined) expect(wasm.afresh).toBe(on.afresh);
    }
    const texts = off.out.map((c) => c.evidence);
    for (const text of ["unanswered: 2 SYNs over 1.0 s (S0, history S)", "unanswered: 2 SYNs over 1.0 s (OTH, history S)", "one datagram, no reply (S0, history D)", "unanswered: 2 datagrams over 0.5 s (S0, history D)",
      "unanswered: 1 SYN, then the originator gave up (RST) after 6.0 s (RSTOS0, history SR)", "unanswered: 2 echo requests over 1.0 s (OTH)"]) {
      expect(texts.filter((t) => t === text).length).toBeGreaterThan(25);
    }
    expect(new Set(texts.filter((t) => t.includes("no packet from 10.0.2."))).size).toBe(4);
    expect(texts.filter((t) => /^unanswered: 9 SYNs over 1\.8 s \(SH, history SSSSSSSS(FS|SF)\)$/.test(t)).sort()).toEqual([
      "unanswered: 9 SYNs over 1.8 s (SH, history SSSSSSSSFS)", "unanswered: 9 SYNs over 1.8 s (SH, history SSSSSSSSFS)",
      "unanswered: 9 SYNs over 1.8 s (SH, history SSSSSSSSSF)", "unanswered: 9 SYNs over 1.8 s (SH, history SSSSSSSSSF)",
    ]);
    // Most of the unanswered were not decided afresh.
    expect(off.afresh).toBe(off.out.length);
    expect(on.afresh).toBeLessThan(off.afresh / 3);
  });

  it("on histories alike in their first 8 letters and state, told apart by the 9th", () => {
    // Retransmitted SYNs and SYN-ACKs with new sequence numbers repeat their letters (Zeek's history).
    const shake = (sp: number, last: "S" | "h"): Pkt[] => {
      const list: Pkt[] = [];
      for (let k = 1; k <= 4; k++) {
        list.push({ t: sp * 10 + k, src: C, dst: S, proto: PROTO_TCP, sp, dp: 445, flags: TCP_SYN, seq: k });
        list.push({ t: sp * 10 + k + 0.5, src: S, dst: C, proto: PROTO_TCP, sp: 445, dp: sp, flags: TCP_SYN | TCP_ACK, seq: k });
      }
      list.push(last === "S" ? { t: sp * 10 + 6, src: C, dst: S, proto: PROTO_TCP, sp, dp: 445, flags: TCP_SYN, seq: 9 }
        : { t: sp * 10 + 6, src: S, dst: C, proto: PROTO_TCP, sp: 445, dp: sp, flags: TCP_SYN | TCP_ACK, seq: 9 });
      return list;
    };
    const list = [...shake(50010, "S"), ...shake(50011, "h")];
    const on = track(list, true);
    expect(on.out.map((c) => c.history)).toEqual(["ShShShShS", "ShShShShh"]);
    expect(on.out).toEqual(track(list, false).out);
    // The module's memo, its key of three words: the 9th letter is in the second letter word.
    expect(track(list, true, "wasm").out).toEqual(on.out);
  });
});
