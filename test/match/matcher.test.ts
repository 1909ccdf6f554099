import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { checkRuleset, resolveRuleset, activeRules, type Rule } from "../../src/model/ruleset.js";
import { parseInventoryYaml } from "../../src/model/inventory.js";
import { RoleLookup } from "../../src/match/roles.js";
import { Matcher, classifyBatch, createClassified, VERDICTS, ruleCovers, setRange, ICMP_ALL, ICMP_NONE, ICMP_SOME } from "../../src/match/matcher.js";
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, NONE, TCP_ACK, TCP_SYN, commit, createBatch, reserve, type EventBatch } from "../../src/decode/batch.js";
import { parseAddr } from "../../src/net/addr.js";

const RULESET = `id: t
title: T
version: 1
provenance: {document: test}
roles:
  - {id: client, title: C}
  - {id: server, title: S}
  - {id: dc, title: D}
scenarios:
  - {id: a, title: A}
  - {id: b, title: B}
services:
  - {id: smb, title: SMB, ports: [{tcp: 445}]}
  - {id: dns, title: DNS, ports: [{tcp: 53, udp: 53}]}
  - {id: rpc, title: RPC, ports: [{tcp: [135, "49152-65535"]}]}
  - {id: ping, title: Ping, ports: [{icmp: [8], icmpv6: [128]}]}
rules:
  - {id: smb, from: client, to: server, services: [smb, ping], scenarios: [a], requirement: required, purpose: p, source: s}
  - {id: dns, from: server, to: dc, services: [dns], scenarios: [b], requirement: required, purpose: p, source: s}
  - {id: rpc, from: server, to: dc, services: [rpc], scenarios: [b], requirement: required, purpose: p, source: s, source_ports: ["49152-65535"]}
`;
const INV = `roles:
  client: [10.0.0.0/24, "fd00::/64"]
  server: [10.0.1.10, "fd00:1::10"]
  dc: [10.0.1.20]
`;

function setup(scenarios: string[] = []) {
  const { def } = checkRuleset("t.yaml", RULESET);
  const rs = resolveRuleset(def!, new Map(), new Map());
  const inv = parseInventoryYaml("i.yaml", INV, ["client", "server", "dc"]);
  return new Matcher(activeRules(rs, scenarios), new RoleLookup(["client", "server", "dc"], inv));
}

interface Ev { src: string; dst: string; proto: number; sport?: number; dport?: number; type?: number; flags?: number; action: number }
function batchOf(evs: Ev[]): EventBatch {
  const b = createBatch(Math.max(1, evs.length));
  for (const e of evs) {
    const i = reserve(b);
    b.family[i] = parseAddr(e.src, b.src, i * 4);
    parseAddr(e.dst, b.dst, i * 4);
    b.proto[i] = e.proto;
    b.srcPort[i] = e.sport ?? NONE;
    b.dstPort[i] = e.dport ?? NONE;
    b.icmpType[i] = e.type ?? NONE;
    b.tcpFlags[i] = e.flags ?? NONE;
    b.action[i] = e.action;
    commit(b);
  }
  return b;
}
function verdicts(m: Matcher, evs: Ev[]): string[] {
  const b = batchOf(evs);
  const c = createClassified(b.capacity);
  classifyBatch(m, b, c);
  return Array.from(c.verdict.subarray(0, b.length), (v) => VERDICTS[v]!);
}

const C = "10.0.0.5", S = "10.0.1.10", D = "10.0.1.20", X = "192.0.2.1";
function parseAddr4(a: string): number {
  const w = new Uint32Array(4);
  parseAddr(a, w, 0);
  return w[0]!;
}

describe("classification", () => {
  const m = setup();
  it("gives each verdict from log actions", () => {
    expect(verdicts(m, [
      { src: C, dst: S, proto: 6, sport: 50000, dport: 445, action: ACTION_ALLOWED },
      { src: C, dst: S, proto: 6, sport: 50000, dport: 445, action: ACTION_BLOCKED },
      { src: C, dst: S, proto: 6, sport: 50000, dport: 8080, action: ACTION_ALLOWED },
      { src: C, dst: S, proto: 6, sport: 50000, dport: 8080, action: ACTION_BLOCKED },
      { src: X, dst: S, proto: 6, sport: 50000, dport: 445, action: ACTION_ALLOWED },
      { src: C, dst: S, proto: 6, sport: 50000, dport: 445, action: ACTION_UNKNOWN },
    ])).toEqual(["allowed-required", "blocked-required", "allowed-unexpected", "blocked-unexpected", "unclassified", "inconclusive"]);
  });
  it("direction matters: a rule from A to B does not allow B to A", () => {
    expect(verdicts(m, [{ src: S, dst: C, proto: 6, sport: 50000, dport: 445, flags: TCP_SYN, action: ACTION_ALLOWED }])).toEqual(["allowed-unexpected"]);
  });
  it("a SYN-ACK or a reply from the service port is the answer of the flow, not a new flow", () => {
    expect(verdicts(m, [
      { src: S, dst: C, proto: 6, sport: 445, dport: 50000, flags: TCP_SYN | TCP_ACK, action: ACTION_ALLOWED },
      { src: S, dst: C, proto: 6, sport: 445, dport: 50000, flags: TCP_ACK, action: ACTION_ALLOWED },
      { src: D, dst: S, proto: 17, sport: 53, dport: 40000, action: ACTION_ALLOWED },
    ])).toEqual(["allowed-required", "allowed-required", "allowed-required"]);
  });
  it("an echo reply answers the echo request the other way", () => {
    expect(verdicts(m, [
      { src: C, dst: S, proto: 1, type: 8, action: ACTION_ALLOWED },
      { src: S, dst: C, proto: 1, type: 0, action: ACTION_ALLOWED },
      { src: S, dst: C, proto: 1, type: 8, action: ACTION_ALLOWED },
      { src: "fd00::5", dst: "fd00:1::10", proto: 58, type: 128, action: ACTION_BLOCKED },
    ])).toEqual(["allowed-required", "allowed-required", "allowed-unexpected", "blocked-required"]);
  });
  it("honours a rule's client-port range", () => {
    expect(verdicts(m, [
      { src: S, dst: D, proto: 6, sport: 50000, dport: 135, flags: TCP_SYN, action: ACTION_ALLOWED },
      { src: S, dst: D, proto: 6, sport: 40000, dport: 135, flags: TCP_SYN, action: ACTION_ALLOWED },
    ])).toEqual(["allowed-required", "allowed-unexpected"]);
  });
  it("a record that does not say its client port is held to the destination port alone", () => {
    // The rpc rule allows client ports 49152-65535 only; with no source port in the record (NONE)
    // that condition cannot be checked, and is not held against the flow.
    expect(verdicts(m, [
      { src: S, dst: D, proto: 6, dport: 135, flags: TCP_SYN, action: ACTION_ALLOWED },
      { src: S, dst: D, proto: 6, sport: 40000, dport: 135, flags: TCP_SYN, action: ACTION_ALLOWED },
    ])).toEqual(["allowed-required", "allowed-unexpected"]);
  });
  it("midstream with no rule either way: the side on a system port (below 1024) is the server", () => {
    const orient = (sport: number, dport: number) => {
      const b = batchOf([{ src: C, dst: S, proto: 17, sport, dport, action: ACTION_ALLOWED }]);
      const c = createClassified(b.capacity);
      classifyBatch(m, b, c);
      return c.reversed[0];
    };
    expect([orient(1023, 50000), orient(1024, 50000), orient(80, 1024), orient(80, 1023), orient(50000, 1023)]).toEqual([1, 0, 1, 0, 0]);
  });
  it("when the matrix expects the flow both ways, the record's own direction wins", () => {
    const { def } = checkRuleset("t.yaml", `id: t
title: T
version: 1
provenance: {document: test}
roles:
  - {id: client, title: C}
  - {id: server, title: S}
scenarios:
  - {id: a, title: A}
services:
  - {id: dns, title: DNS, ports: [{udp: 53}]}
  - {id: back, title: Back, ports: [{udp: 5000}]}
rules:
  - {id: dns, from: client, to: server, services: [dns], scenarios: [a], requirement: required, purpose: p, source: s}
  - {id: back, from: server, to: client, services: [back], scenarios: [a], requirement: required, purpose: p, source: s}
`);
    const both = new Matcher(activeRules(resolveRuleset(def!, new Map(), new Map()), []), new RoleLookup(["client", "server", "dc"], parseInventoryYaml("i.yaml", INV, ["client", "server", "dc"])));
    const b = batchOf([{ src: C, dst: S, proto: 17, sport: 5000, dport: 53, action: ACTION_ALLOWED }, { src: S, dst: C, proto: 17, sport: 53, dport: 5000, action: ACTION_ALLOWED }]);
    const c = createClassified(b.capacity);
    classifyBatch(both, b, c);
    expect(Array.from(c.reversed.subarray(0, 2))).toEqual([0, 0]);
  });
  it("judges an ICMP record of unknown type by what the pair opens, never green on a guess", () => {
    // client -> server opens ICMP type 8 only (some types); server -> client opens none.
    expect(verdicts(m, [
      { src: C, dst: S, proto: 1, action: ACTION_ALLOWED },
      { src: C, dst: S, proto: 1, action: ACTION_BLOCKED },
      { src: S, dst: C, proto: 1, action: ACTION_ALLOWED },
      { src: S, dst: C, proto: 1, action: ACTION_BLOCKED },
      { src: "fd00::5", dst: "fd00:1::10", proto: 58, action: ACTION_BLOCKED },
      { src: X, dst: S, proto: 1, action: ACTION_ALLOWED },
      { src: C, dst: S, proto: 1, action: ACTION_UNKNOWN },
    ])).toEqual(["allowed-unexpected", "blocked-required", "allowed-unexpected", "blocked-unexpected", "blocked-required", "unclassified", "inconclusive"]);
    // No rule is credited for a type the record does not name.
    const cs = m.roles.lookup4(parseAddr4(C)), ss = m.roles.lookup4(parseAddr4(S));
    expect(m.icmpUnknownClass(cs, ss, 1)).toBe(ICMP_SOME);
    expect(m.findRule(cs, ss, 1, -1, -1)).toBeUndefined();
  });
  it("an ICMP record of unknown type is required between roles that open every ICMP type", () => {
    const text = RULESET.replace("{id: ping, title: Ping, ports: [{icmp: [8], icmpv6: [128]}]}", "{id: ping, title: Ping, ports: [{icmp: any, icmpv6: any}]}");
    const { def } = checkRuleset("t.yaml", text);
    const rs = resolveRuleset(def!, new Map(), new Map());
    const any = new Matcher(activeRules(rs, []), new RoleLookup(["client", "server", "dc"], parseInventoryYaml("i.yaml", INV, ["client", "server", "dc"])));
    expect(verdicts(any, [
      { src: C, dst: S, proto: 1, action: ACTION_ALLOWED },
      { src: C, dst: S, proto: 1, action: ACTION_BLOCKED },
      { src: S, dst: C, proto: 1, action: ACTION_ALLOWED },
    ])).toEqual(["allowed-required", "blocked-required", "allowed-unexpected"]);
    const cs = any.roles.lookup4(parseAddr4(C)), ss = any.roles.lookup4(parseAddr4(S));
    expect(any.icmpUnknownClass(cs, ss, 1)).toBe(ICMP_ALL);
    expect(any.icmpUnknownClass(ss, cs, 1)).toBe(ICMP_NONE);
    expect(any.findRule(cs, ss, 1, -1, -1)?.id).toBe("smb");
  });
  it("filters rules by scenario", () => {
    const onlyA = setup(["a"]);
    expect(verdicts(onlyA, [{ src: S, dst: D, proto: 17, sport: 40000, dport: 53, action: ACTION_ALLOWED }])).toEqual(["allowed-unexpected"]);
    expect(verdicts(setup(["b"]), [{ src: S, dst: D, proto: 17, sport: 40000, dport: 53, action: ACTION_ALLOWED }])).toEqual(["allowed-required"]);
  });
});

describe("port ranges hold their first and last port, and nothing past them", () => {
  const RANGES = `id: r
title: R
version: 1
provenance: {document: test}
roles:
  - {id: client, title: C}
  - {id: server, title: S}
  - {id: dc, title: D}
scenarios:
  - {id: a, title: A}
services:
  - {id: smb, title: SMB, ports: [{tcp: 445}]}
  - {id: netbios, title: NetBIOS, ports: [{tcp: "135-139"}]}
  - {id: dyn, title: Dynamic, ports: [{tcp: "49152-65535"}]}
  - {id: low, title: Low, ports: [{udp: "0-1"}]}
  - {id: back, title: Back, ports: [{udp: 53}]}
rules:
  - {id: nb, from: client, to: server, services: [netbios, dyn, low], scenarios: [a], requirement: required, purpose: p, source: s}
  - {id: back, from: server, to: client, services: [back], source_ports: ["49152-65535"], scenarios: [a], requirement: required, purpose: p, source: s}
  - {id: smb, from: client, to: dc, services: [smb], scenarios: [a], requirement: required, purpose: p, source: s}
`;
  const { def, problems } = checkRuleset("r.yaml", RANGES);
  const rs = resolveRuleset(def!, new Map(), new Map());
  const ROLES = ["client", "server", "dc"];
  const inv = parseInventoryYaml("i.yaml", "roles:\n  client: [10.0.0.5]\n  server: [10.0.1.10]\n", ROLES);
  const m = new Matcher(activeRules(rs, []), new RoleLookup(ROLES, inv));
  const to = (proto: number, dport: number, sport = 40000): Ev => ({ src: C, dst: S, proto, sport, dport, flags: TCP_SYN, action: ACTION_ALLOWED });

  it("parses as written", () => {
    expect(problems).toEqual([]);
    expect(rs.rules.find((r) => r.id === "nb")!.flows).toEqual([{ proto: 6, ranges: [[135, 139], [49152, 65535]] }, { proto: 17, ranges: [[0, 1]] }]);
  });
  it.each([
    [6, 134, "allowed-unexpected"], [6, 135, "allowed-required"], [6, 139, "allowed-required"], [6, 140, "allowed-unexpected"],
    [6, 49151, "allowed-unexpected"], [6, 49152, "allowed-required"], [6, 65534, "allowed-required"], [6, 65535, "allowed-required"],
    [17, 0, "allowed-required"], [17, 1, "allowed-required"], [17, 2, "allowed-unexpected"],
  ])("protocol %i port %i: %s", (proto, port, verdict) => {
    expect(verdicts(m, [to(proto, port)])).toEqual([verdict]);
    const rule = rs.rules.find((r) => r.id === "nb")!;
    expect(ruleCovers(rule, proto, port)).toBe(verdict === "allowed-required");
  });
  it("a host holding two roles gets the union of both cells, up to the last port", () => {
    // The combined cell of a multi-role host is built by OR-ing the cells word by word: its last word
    // holds ports 65504-65535.
    const both = parseInventoryYaml("i.yaml", "roles:\n  client: [10.0.0.5]\n  server: [10.0.1.10]\n  dc: [10.0.1.10]\n", ROLES);
    const mm = new Matcher(activeRules(rs, []), new RoleLookup(ROLES, both));
    expect(verdicts(mm, [to(6, 65535), to(6, 65504), to(6, 445), to(6, 49152), to(6, 49151)]))
      .toEqual(["allowed-required", "allowed-required", "allowed-required", "allowed-required", "allowed-unexpected"]);
  });
  it.each([
    [49151, "allowed-unexpected"], [49152, "allowed-required"], [65535, "allowed-required"],
  ])("a client-port range holds its ends too: source port %i: %s", (sport, verdict) => {
    expect(verdicts(m, [{ src: S, dst: C, proto: 17, sport, dport: 53, action: ACTION_ALLOWED }])).toEqual([verdict]);
  });
});

/**
 * The slow reference: scan every rule's ranges for every event, no bitsets, and none of the matcher's
 * own helpers (ruleCovers has its own test below), so a boundary slip in either shows.
 */
function reference(rules: readonly Rule[], roleOf: (a: number) => string[], e: { s: number; d: number; proto: number; sport: number; dport: number }): boolean {
  const within = (v: number, ranges: readonly (readonly [number, number])[]) => ranges.some(([a, b]) => a <= v && v <= b);
  for (const r of rules) {
    if (!roleOf(e.s).includes(r.from) || !roleOf(e.d).includes(r.to)) continue;
    if (r.sourcePorts && !within(e.sport, r.sourcePorts)) continue;
    if (r.flows.some((f) => f.proto === e.proto && within(e.dport, f.ranges))) return true;
  }
  return false;
}

describe("bitset matcher equals a slow reference matcher", () => {
  it("on random rules, inventories and traffic", () => {
    const roles = ["r0", "r1", "r2", "r3"];
    const portArb = fc.integer({ min: 0, max: 65535 });
    const ruleArb = fc.record({
      from: fc.constantFrom(...roles), to: fc.constantFrom(...roles), proto: fc.constantFrom("tcp", "udp"),
      lo: portArb, len: fc.integer({ min: 0, max: 2000 }), sp: fc.option(fc.tuple(portArb, fc.integer({ min: 0, max: 30000 }))),
    });
    const hostArb = fc.record({ net: fc.integer({ min: 0, max: 7 }), len: fc.constantFrom(29, 30, 32), role: fc.constantFrom(...roles) });
    fc.assert(fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 8 }), fc.array(hostArb, { minLength: 1, maxLength: 8 }),
      fc.array(fc.record({ s: fc.integer({ min: 0, max: 15 }), d: fc.integer({ min: 0, max: 15 }), proto: fc.constantFrom(6, 17), sport: portArb, dport: portArb, edge: fc.integer({ min: 0, max: 11 }) }), { minLength: 1, maxLength: 40 }),
      (rules, hosts, rawTraffic) => {
        // Half the events aim at a rule's first or last port, or just outside it (where an
        // off-by-one lives); the other half keep their random ports.
        const clamp = (v: number) => Math.max(0, Math.min(65535, v));
        const pick = (lo: number, hi: number, k: number) => clamp([lo - 1, lo, hi, hi + 1][k % 4]!);
        const edgeOf = (r: (typeof rules)[number], k: number, sport: number) => ({
          proto: r.proto === "tcp" ? 6 : 17,
          dport: pick(r.lo, Math.min(65535, r.lo + r.len), k),
          sport: r.sp && k >= 4 ? pick(r.sp[0], Math.min(65535, r.sp[0] + r.sp[1]), k) : sport,
        });
        const traffic = rawTraffic.map((t, i) => {
          if (t.edge >= 8) return t;
          const r = rules[i % rules.length]!;
          return { ...t, ...edgeOf(r, t.edge, t.sport) };
        });
        const yaml = `id: p\ntitle: P\nversion: 1\nprovenance: {document: t}\nroles:\n${roles.map((r) => `  - {id: ${r}, title: ${r}}`).join("\n")}\nscenarios:\n  - {id: s, title: S}\nservices:\n${rules.map((r, i) => `  - {id: s${i}, title: s, ports: [{${r.proto}: "${r.lo}-${Math.min(65535, r.lo + r.len)}"}]}`).join("\n")}\nrules:\n${rules.map((r, i) => `  - {id: r${i}, from: ${r.from}, to: ${r.to}, services: [s${i}], scenarios: [s], requirement: required, purpose: p, source: s${r.sp ? `, source_ports: ["${r.sp[0]}-${Math.min(65535, r.sp[0] + r.sp[1])}"]` : ""}}`).join("\n")}\n`;
        const { def, problems } = checkRuleset("p.yaml", yaml);
        expect(problems).toEqual([]);
        const rs = resolveRuleset(def!, new Map(), new Map());
        // Hosts 10.0.0.<0..15> in small prefixes; dedupe identical (prefix, role).
        const seen = new Set<string>();
        const lines: string[] = [];
        const byRole = new Map<string, string[]>();
        for (const h of hosts) {
          const size = 2 ** (32 - h.len);
          const base = Math.floor(h.net * 2 / size) * size;
          const key = `${base}/${h.len}/${h.role}`;
          if (seen.has(key)) continue;
          seen.add(key);
          byRole.set(h.role, [...(byRole.get(h.role) ?? []), `10.0.0.${base}/${h.len}`]);
        }
        for (const [r, l] of byRole) lines.push(`  ${r}: [${l.join(", ")}]`);
        const inv = parseInventoryYaml("i.yaml", `roles:\n${lines.join("\n")}\n`, roles);
        const lookup = new RoleLookup(roles, inv);
        const m = new Matcher(rs.rules, lookup);
        const indexed = m.ruleFinder(0), later = m.ruleFinder(3);
        // Reference role lookup: longest prefix by brute force.
        const roleOf = (a: number): string[] => {
          let best = -1;
          let out: string[] = [];
          for (const e of inv.entries) {
            const size = 2 ** (32 - e.prefixLength);
            const base = e.words[0] - (10 << 24);
            if (a >= base && a < base + size && e.prefixLength > best) { best = e.prefixLength; out = e.roles; }
          }
          return out;
        };
        for (const t of traffic) {
          const s = lookup.lookup4(((10 << 24) + t.s) >>> 0);
          const d = lookup.lookup4(((10 << 24) + t.d) >>> 0);
          expect(lookup.setRoleIds(s).sort()).toEqual([...roleOf(t.s)].sort());
          expect(m.expected(s, d, t.proto, t.dport, t.sport)).toBe(reference(rs.rules, roleOf, { ...t, s: t.s, d: t.d }));
          // Report building's rule lookup: the same rule as findRule, from its port table at once
          // (after 0 lookups) and after a few lookups of findRule's own.
          const rule = m.findRule(s, d, t.proto, t.dport, t.sport);
          expect(indexed.find(s, d, t.proto, t.dport, t.sport)).toBe(rule);
          expect(later.find(s, d, t.proto, t.dport, t.sport)).toBe(rule);
          // The same port from another source port: a rule with a source-port condition may differ.
          expect(indexed.find(s, d, t.proto, t.dport, (t.sport + 1) & 65535)).toBe(m.findRule(s, d, t.proto, t.dport, (t.sport + 1) & 65535));
        }
      }), { numRuns: 300, seed: 20261123 });
  });
});

describe("setRange (a cell's port bitset)", () => {
  const reference = (ranges: readonly (readonly [number, number])[]): Uint32Array => {
    const bits = new Uint32Array(2048);
    for (const [lo, hi] of ranges) for (let p = lo; p <= hi; p++) bits[p >>> 5]! |= 1 << (p & 31);
    return bits;
  };
  const ranges = (rs: readonly (readonly [number, number])[]): Uint32Array => {
    const bits = new Uint32Array(2048);
    for (const [lo, hi] of rs) setRange(bits, lo, hi);
    return bits;
  };
  it.each([
    [[[0, 65535]]], [[[1024, 65535]]], [[[0, 0]]], [[[65535, 65535]]], [[[31, 32]]], [[[32, 63]]], [[[33, 62]]],
    [[[5, 4]]], [[[0, 31], [64, 95]]], [[[100, 100], [90, 200], [49152, 65535]]],
  ] as const)("sets exactly the ports of %j, as one bit at a time does", (rs) => {
    expect(ranges(rs)).toEqual(reference(rs));
  });
  it("sets exactly the ports of any ranges (word-aligned or not, overlapping)", () => {
    const port = fc.integer({ min: 0, max: 65535 });
    fc.assert(fc.property(fc.array(fc.tuple(port, fc.integer({ min: -1, max: 200 })), { maxLength: 6 }), (xs) => {
      const rs = xs.map(([lo, n]) => [lo, Math.min(65535, lo + n)] as const);
      expect(ranges(rs)).toEqual(reference(rs));
    }), { numRuns: 300 });
  });
});

describe("ruleFinder (report building's rule lookup) names the rule findRule names", () => {
  // One cell (client -> server, TCP) with overlapping rules: the first in order that opens a port is
  // its rule; a rule with a source-port condition counts only where no unconditional rule opens the port.
  const yaml = `id: o\ntitle: O\nversion: 1\nprovenance: {document: t}
roles:\n  - {id: client, title: C}\n  - {id: server, title: S}\n  - {id: admin, title: A}
scenarios:\n  - {id: a, title: A}
services:
  - {id: wide, title: W, ports: [{tcp: "400-500"}]}
  - {id: smb, title: S, ports: [{tcp: 445}, {udp: 137}]}
  - {id: high, title: H, ports: [{tcp: "1024-65535"}]}
  - {id: low, title: L, ports: [{tcp: "1-1023"}]}
rules:
  - {id: limited, from: client, to: server, services: [low], source_ports: ["50000-50010"], scenarios: [a], requirement: required, purpose: p, source: s}
  - {id: wide, from: client, to: server, services: [wide], scenarios: [a], requirement: required, purpose: p, source: s}
  - {id: smb, from: client, to: server, services: [smb], scenarios: [a], requirement: required, purpose: p, source: s}
  - {id: admin-smb, from: admin, to: server, services: [smb], scenarios: [a], requirement: required, purpose: p, source: s}
  - {id: admin-high, from: admin, to: server, services: [high], scenarios: [a], requirement: required, purpose: p, source: s}
`;
  const { def, problems } = checkRuleset("o.yaml", yaml);
  it("the ruleset checks", () => expect(problems).toEqual([]));
  const roles = ["client", "server", "admin"];
  // 10.0.0.1 is client and admin at once: its cell merges both roles' rules.
  const inv = parseInventoryYaml("i.yaml", "roles:\n  client: [10.0.0.0/24, 10.0.0.1/32]\n  admin: [10.0.0.1/32, 10.0.2.0/24]\n  server: [10.0.1.0/24]\n", roles);
  const m = new Matcher(activeRules(resolveRuleset(def!, new Map(), new Map()), []), new RoleLookup(roles, inv));
  const c = m.roles.lookup4(parseAddr4("10.0.0.5")), both = m.roles.lookup4(parseAddr4("10.0.0.1")), s = m.roles.lookup4(parseAddr4("10.0.1.5"));
  it.each([
    ["client", 445, 40000, "wide"], ["client", 399, 40000, undefined], ["client", 399, 50005, "limited"], ["client", 450, 50005, "wide"],
    ["client", 501, 40000, undefined], ["client", 1023, 50010, "limited"], ["client", 1024, 50010, undefined], ["client", 0, 50000, undefined],
    ["client+admin", 445, 40000, "(as findRule)"], ["client+admin", 2000, 40000, "admin-high"], ["client+admin", 65535, 1, "admin-high"],
    ["client+admin", 300, 50000, "limited"],
  ] as const)("%s -> server, TCP port %i from %i: %s", (from, port, sport, id) => {
    const src = from === "client" ? c : both;
    const want = m.findRule(src, s, 6, port, sport);
    if (id !== "(as findRule)") expect(want?.id).toBe(id);
    for (const after of [0, 1, 1000]) {
      const f = m.ruleFinder(after);
      // Asked twice: once before and once after a finder with a threshold of 1 builds its table.
      expect(f.find(src, s, 6, port, sport)).toBe(want);
      expect(f.find(src, s, 6, port, sport)).toBe(want);
    }
  });
  it("a host with two roles gets the first rule of the merged cell, as findRule", () => {
    const f = m.ruleFinder(0);
    for (const port of [137, 399, 400, 445, 446, 500, 1023, 1024, 65535]) {
      for (const sport of [1, 50000]) for (const proto of [6, 17]) expect(f.find(both, s, proto, port, sport)).toBe(m.findRule(both, s, proto, port, sport));
    }
    expect(f.find(both, s, 6, 445, 1)?.id).toBe(m.findRule(both, s, 6, 445, 1)?.id);
    expect(["wide", "smb", "admin-smb"]).toContain(m.findRule(both, s, 6, 445, 1)?.id);
  });
});
