import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { checkRuleset, resolveRuleset, activeRules, type Rule } from "../../src/model/ruleset.js";
import { parseInventoryYaml } from "../../src/model/inventory.js";
import { RoleLookup } from "../../src/match/roles.js";
import { Matcher, classifyBatch, createClassified, VERDICTS, ruleCovers } from "../../src/match/matcher.js";
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
  it("filters rules by scenario", () => {
    const onlyA = setup(["a"]);
    expect(verdicts(onlyA, [{ src: S, dst: D, proto: 17, sport: 40000, dport: 53, action: ACTION_ALLOWED }])).toEqual(["allowed-unexpected"]);
    expect(verdicts(setup(["b"]), [{ src: S, dst: D, proto: 17, sport: 40000, dport: 53, action: ACTION_ALLOWED }])).toEqual(["allowed-required"]);
  });
});

/** The slow reference: scan every rule for every event, no bitsets. */
function reference(rules: readonly Rule[], roleOf: (a: number) => string[], e: { s: number; d: number; proto: number; sport: number; dport: number }): boolean {
  for (const r of rules) {
    if (!roleOf(e.s).includes(r.from) || !roleOf(e.d).includes(r.to)) continue;
    if (r.sourcePorts && !r.sourcePorts.some(([a, b]) => e.sport >= a && e.sport <= b)) continue;
    if (ruleCovers(r, e.proto, e.dport)) return true;
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
      fc.array(fc.record({ s: fc.integer({ min: 0, max: 15 }), d: fc.integer({ min: 0, max: 15 }), proto: fc.constantFrom(6, 17), sport: portArb, dport: portArb }), { minLength: 1, maxLength: 40 }),
      (rules, hosts, traffic) => {
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
        }
      }), { numRuns: 300, seed: 20261123 });
  });
});
