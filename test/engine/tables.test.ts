/**
 * The tables the SQL is compiled from say what the native matcher does: the IPv4 blocks (the
 * equi-join plan) give RoleLookup.lookup4's set for every address, each cell's ports give
 * Matcher.expected for every port and source port, and the ICMP classes give icmpUnknownClass; a
 * source port the SQL folds into its class's representative (insignificantSourcePorts) is one the
 * matcher cannot tell from the representative, in either direction.
 */
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { checkRuleset, resolveRuleset } from "../../src/model/ruleset.js";
import { parseInventoryYaml } from "../../src/model/inventory.js";
import { RoleLookup } from "../../src/match/roles.js";
import { Matcher, SLOT_PROTOS } from "../../src/match/matcher.js";
import { cellKey, compileTables, insignificantSourcePorts, lookupBlocks, v4Blocks } from "../../src/engine/tables.js";

const roles = ["r0", "r1", "r2"];

function rulesetYaml(rules: { from: string; to: string; proto: string; lo: number; len: number; sp: [number, number] | null }[]): string {
  return `id: p\ntitle: P\nversion: 1\nprovenance: {document: t}\nroles:\n${roles.map((r) => `  - {id: ${r}, title: ${r}}`).join("\n")}\n` +
    `scenarios:\n  - {id: s, title: S}\nservices:\n${rules.map((r, i) => `  - {id: s${i}, title: s, ports: [{${r.proto}: ${r.proto.startsWith("icmp") && r.len > 300 ? "any" : `"${r.lo}-${Math.min(r.proto.startsWith("icmp") ? 255 : 65535, r.lo + r.len)}"`}}]}`).join("\n")}\n` +
    `rules:\n${rules.map((r, i) => `  - {id: r${i}, from: ${r.from}, to: ${r.to}, services: [s${i}], scenarios: [s], requirement: required, purpose: p, source: s${r.sp && !r.proto.startsWith("icmp") ? `, source_ports: ["${r.sp[0]}-${Math.min(65535, r.sp[0] + r.sp[1])}"]` : ""}}`).join("\n")}\n`;
}

/** The predicate of a cell evaluated as the SQL evaluates it. */
function sqlExpected(t: ReturnType<typeof compileTables>, key: number, p: number, sp: number): boolean {
  const pred = t.predicates.find((x) => x.keys.includes(key));
  if (!pred) return false;
  const inR = (v: number, rs: readonly (readonly [number, number])[]) => rs.some(([a, b]) => v >= a && v <= b);
  return inR(p, pred.ports.open) || pred.ports.limited.some((l) => inR(p, l.ranges) && (sp < 0 || inR(sp, l.sourcePorts)));
}

describe("compiled tables equal the native matcher", () => {
  it("on random rules, nested inventories, addresses and ports", () => {
    const port = fc.integer({ min: 0, max: 65535 });
    const ruleArb = fc.record({
      from: fc.constantFrom(...roles), to: fc.constantFrom(...roles), proto: fc.constantFrom("tcp", "udp", "icmp", "icmpv6"),
      lo: fc.integer({ min: 0, max: 255 }), len: fc.integer({ min: 0, max: 400 }),
      sp: fc.option(fc.tuple(port, fc.integer({ min: 0, max: 20000 }))),
    });
    const hostArb = fc.record({ a: fc.integer({ min: 0, max: 255 }), len: fc.constantFrom(24, 25, 26, 28, 30, 32), role: fc.constantFrom(...roles) });
    fc.assert(fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 6 }), fc.array(hostArb, { minLength: 1, maxLength: 10 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 511 }), fc.integer({ min: 0, max: 511 }), port, fc.integer({ min: -1, max: 65535 })), { minLength: 1, maxLength: 30 }),
      (rules, hosts, probes) => {
        const { def, problems } = checkRuleset("p.yaml", rulesetYaml(rules));
        expect(problems).toEqual([]);
        const rs = resolveRuleset(def!, new Map(), new Map());
        const seen = new Set<string>();
        const byRole = new Map<string, string[]>();
        for (const h of hosts) {
          const size = 2 ** (32 - h.len);
          const base = Math.floor(h.a / size) * size;
          const text = `10.0.0.${base}/${h.len}`;
          if (seen.has(text)) continue;
          seen.add(text);
          byRole.set(h.role, [...(byRole.get(h.role) ?? []), text]);
        }
        const yaml = `roles:\n${[...byRole].map(([r, l]) => `  ${r}: [${l.join(", ")}]`).join("\n")}\n`;
        const lookup = new RoleLookup(roles, parseInventoryYaml("i.yaml", yaml, roles));
        const m = new Matcher(rs.rules, lookup);
        const t = compileTables(m);
        const blocks = v4Blocks(t);
        // Every rule's range edges, and one port past each, for every pair of role sets: where an
        // off-by-one in the compiled ranges would show.
        const edges = rules.flatMap((r) => [r.lo - 1, r.lo, r.lo + r.len, r.lo + r.len + 1, r.sp ? r.sp[0] - 1 : 0, r.sp ? r.sp[0] : 0]);
        for (let s = 1; s < t.nSets; s++) {
          for (let d = 1; d < t.nSets; d++) {
            for (let slot = 0; slot < 4; slot++) {
              for (const e of edges) {
                const port = slot >= 2 ? Math.min(255, Math.max(0, e)) : Math.min(65535, Math.max(0, e));
                for (const sp of slot >= 2 ? [-1] : [-1, ...edges.map((x) => Math.min(65535, Math.max(0, x)))]) {
                  expect(sqlExpected(t, cellKey(t.nSets, s, d, slot), port, sp)).toBe(m.expected(s, d, SLOT_PROTOS[slot]!, port, sp));
                }
              }
            }
          }
        }
        for (const [x, y, p, sp] of probes) {
          // Addresses around 10.0.0.0/24 and just outside it.
          const a = ((10 << 24) + x - 128) >>> 0;
          const b = ((10 << 24) + y - 128) >>> 0;
          expect(lookupBlocks(blocks, a)).toBe(lookup.lookup4(a));
          const s = lookup.lookup4(a), d = lookup.lookup4(b);
          for (let slot = 0; slot < 4; slot++) {
            const proto = SLOT_PROTOS[slot]!;
            const port = slot >= 2 ? p % 256 : p;
            const key = s > 0 && d > 0 ? cellKey(t.nSets, s, d, slot) : -1;
            expect(sqlExpected(t, key, port, slot >= 2 ? -1 : sp)).toBe(m.expected(s, d, proto, port, slot >= 2 ? -1 : sp));
            if (slot >= 2) {
              const cls = t.icmpAll.includes(key) ? 2 : t.icmpSome.includes(key) ? 1 : 0;
              expect(cls).toBe(m.icmpUnknownClass(s, d, proto));
            }
          }
        }
      }), { numRuns: 100, seed: 15 });
  });

  it("folds only source ports the matcher cannot tell from the representative, in either direction", () => {
    const port = fc.integer({ min: 0, max: 65535 });
    const ruleArb = fc.record({
      from: fc.constantFrom(...roles), to: fc.constantFrom(...roles), proto: fc.constantFrom("tcp", "udp"),
      lo: fc.integer({ min: 0, max: 65535 }), len: fc.integer({ min: 0, max: 3000 }),
      sp: fc.option(fc.tuple(port, fc.integer({ min: 0, max: 20000 }))),
    });
    fc.assert(fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 6 }), fc.array(port, { minLength: 1, maxLength: 8 }), (rules, probes) => {
      const { def, problems } = checkRuleset("p.yaml", rulesetYaml(rules));
      expect(problems).toEqual([]);
      const rs = resolveRuleset(def!, new Map(), new Map());
      const yaml = `roles:\n${roles.map((r, i) => `  ${r}: [10.0.0.${i}]`).join("\n")}\n`;
      const m = new Matcher(rs.rules, new RoleLookup(roles, parseInventoryYaml("i.yaml", yaml, roles)));
      const t = compileTables(m);
      const edges = rules.flatMap((r) => [r.lo - 1, r.lo, r.lo + r.len, r.lo + r.len + 1, r.sp ? r.sp[0] - 1 : 0, r.sp ? r.sp[0] : 0, r.sp ? r.sp[0] + r.sp[1] + 1 : 0])
        .map((x) => Math.min(65535, Math.max(0, x)));
      // Every port the query folds gives the matcher's answers of the port it is folded into, as the
      // client port towards a service (forward) and as the service port a reply comes from (reverse).
      const { significant, rep } = insignificantSourcePorts(t);
      const folded = (v: number) => rep !== null && v >= 1024 && !significant.some(([a, b]) => v >= a && v <= b);
      const wrong: string[] = [];
      for (const v of [...probes, ...edges, 1024, 49151, 65535].filter(folded)) {
        for (let s = 1; s < t.nSets; s++) {
          for (let d = 1; d < t.nSets; d++) {
            for (const proto of [SLOT_PROTOS[0]!, SLOT_PROTOS[1]!]) {
              for (const dp of [...edges, 1023, 1024]) {
                if (m.expected(s, d, proto, dp, v) !== m.expected(s, d, proto, dp, rep!)) wrong.push(`forward ${s}>${d} ${proto} ${dp} from ${v}`);
                if (m.expected(d, s, proto, v, dp) !== m.expected(d, s, proto, rep!, dp)) wrong.push(`reverse ${d}>${s} ${proto} ${v} from ${dp}`);
              }
            }
          }
        }
      }
      expect(wrong).toEqual([]);
    }), { numRuns: 100, seed: 15 });
  }, 120_000);

  it("cuts nested intervals into disjoint blocks (a /16 with a /24 hole is 8 blocks and the /24)", () => {
    const inv = parseInventoryYaml("i.yaml", "roles:\n  r0: [10.1.0.0/16]\n  r1: [10.1.0.0/24]\n", roles);
    const t = compileTables(new Matcher([], new RoleLookup(roles, inv)));
    expect(v4Blocks(t).map((b) => `${b.net >>> 24}.${(b.net >>> 16) & 255}.${(b.net >>> 8) & 255}.${b.net & 255}/${b.length}:${b.set}`)).toEqual([
      "10.1.0.0/24:2", "10.1.1.0/24:1", "10.1.2.0/23:1", "10.1.4.0/22:1", "10.1.8.0/21:1", "10.1.16.0/20:1", "10.1.32.0/19:1", "10.1.64.0/18:1", "10.1.128.0/17:1",
    ]);
  });
});
