import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { loadRulesetDef, resolveRuleset, activeRules } from "../../src/model/ruleset.js";
import { parseInventoryYaml } from "../../src/model/inventory.js";
import { RoleLookup } from "../../src/match/roles.js";
import { Matcher } from "../../src/match/matcher.js";
import { protocolNumber } from "../../src/decode/batch.js";

/**
 * fixtures/seeds/seed-rows.json is an independent transcription of every table row of the two seeds
 * (made from the digest and the Japanese originals, not from the YAML). Each row must be expected by
 * the shipped ruleset, through the same matcher `check` uses, in each of the row's phases.
 */
interface Row {
  seed: string; table?: string; kind?: string; row?: number; from?: string; to?: string; protocol?: string;
  ports?: (number | string)[]; sourcePorts?: string[]; phases?: string[]; scenario?: string; note?: number;
  rule?: string; rules?: string[]; item?: number; conditional?: boolean;
}
const rows = JSON.parse(readFileSync("fixtures/seeds/seed-rows.json", "utf8")) as Row[];

/** One host per role: 10.0.<role index>.1 */
function matcherFor(rulesetId: string, scenarios: string[]) {
  const def = loadRulesetDef(rulesetId);
  const roleIds = def.raw.roles.map((r) => r.id);
  const yaml = "roles:\n" + roleIds.map((r, i) => `  ${r}: [10.0.${i}.1]`).join("\n") + "\n";
  const inv = parseInventoryYaml("inline.yaml", yaml, roleIds);
  const rs = resolveRuleset(def, new Map(), new Map());
  const roles = new RoleLookup(roleIds, inv);
  const m = new Matcher(activeRules(rs, scenarios), roles);
  const set = (role: string) => roles.lookup4(((10 << 24) + (roleIds.indexOf(role) << 8) + 1) >>> 0);
  return { m, set, rs };
}

function portsOf(spec: (number | string)[]): number[] {
  const out: number[] = [];
  for (const p of spec) {
    if (typeof p === "number") out.push(p);
    else {
      const [a, b] = p.split("-").map(Number) as [number, number];
      out.push(a, Math.floor((a + b) / 2), b);
    }
  }
  return out;
}

describe("KCPS seed rows", () => {
  const kcps = rows.filter((r) => r.seed === "004");
  it("has every table row of both tables and the SMTP note", () => {
    expect(kcps.filter((r) => r.table === "main").length).toBeGreaterThanOrEqual(28);
    expect(kcps.filter((r) => r.table === "trust").length).toBeGreaterThanOrEqual(11);
    expect(kcps.some((r) => r.table === "note" && r.ports?.includes(25) && r.ports.includes(587))).toBe(true);
  });
  for (const r of kcps) {
    for (const phase of r.phases ?? []) {
      it(`${r.table} row ${r.row}: ${r.from} -> ${r.to} ${r.protocol} ${JSON.stringify(r.ports)} is expected in phase ${phase}`, () => {
        const { m, set } = matcherFor("kcps-file-server", [phase]);
        const proto = protocolNumber(r.protocol!)!;
        const srcPort = r.sourcePorts ? portsOf(r.sourcePorts)[0]! : 50000;
        const ports = r.protocol === "icmp" ? [8] : portsOf(r.ports!);
        for (const p of ports) {
          expect(m.expected(set(r.from!), set(r.to!), proto, p, srcPort), `port ${p}`).toBe(true);
        }
        // Direction matters: nothing in the KCPS matrix lets the server side open these back, except
        // where the seed lists the reverse row too.
        const reverseListed = kcps.some((x) => x.from === r.to && x.to === r.from && x.protocol === r.protocol);
        if (!reverseListed && r.table !== "trust") {
          expect(m.expected(set(r.to!), set(r.from!), proto, ports[0]!, srcPort)).toBe(false);
        }
      });
    }
  }
  it("trust rows use the client ports the table gives (a source port below 49152 is not the trust rule)", () => {
    const { m, set } = matcherFor("kcps-file-server", ["trust"]);
    // W32Time: 49152-65535/UDP -> 123/UDP
    expect(m.expected(set("kcps-fs-ad"), set("customer-ad"), 17, 123, 50000)).toBe(true);
    expect(m.expected(set("kcps-fs-ad"), set("customer-ad"), 17, 123, 40000)).toBe(false);
    // DNS: client port 53 or 49152-65535
    expect(m.expected(set("kcps-fs-ad"), set("customer-ad"), 17, 53, 53)).toBe(true);
  });
  it("a two-way trust mirrors the trust openings (trust_direction=two-way)", () => {
    const def = loadRulesetDef("kcps-file-server");
    const one = resolveRuleset(def, new Map(), new Map());
    const two = resolveRuleset(def, new Map(), new Map([["trust_direction", "two-way"]]));
    const mirrored = two.rules.filter((r) => r.mirrorOf);
    expect(mirrored.length).toBeGreaterThanOrEqual(11);
    expect(one.rules.some((r) => r.mirrorOf)).toBe(false);
    for (const r of mirrored) {
      const orig = two.rules.find((x) => x.id === r.mirrorOf)!;
      expect([r.from, r.to]).toEqual([orig.to, orig.from]);
    }
  });
  it("the SMTP rule is conditional with its condition in words", () => {
    const def = loadRulesetDef("kcps-file-server");
    const rs = resolveRuleset(def, new Map(), new Map());
    const smtp = rs.rules.find((r) => r.to === "customer-mail")!;
    expect(smtp.requirement).toBe("conditional");
    expect(smtp.condition).toMatch(/FSRM|mail/i);
  });
});

describe("SKYDIV seed", () => {
  const sky = rows.filter((r) => r.seed === "000");
  const def = loadRulesetDef("skydiv-desktop-client");
  const rs = resolveRuleset(def, new Map(), new Map());
  it("has the six environments as scenarios", () => {
    expect(rs.scenarios.map((s) => s.id).sort()).toEqual(["db-redundancy", "internet", "linux", "sbc", "sbc-replicated", "vdi"]);
  });
  for (const r of sky.filter((x) => x.kind === "catalogue")) {
    it(`catalogue item ${r.item} (${r.protocol} ${JSON.stringify(r.ports)}) is a service`, () => {
      const proto = protocolNumber(r.protocol!)!;
      for (const p of portsOf(r.ports ?? [])) {
        expect(rs.services.some((s) => s.ports.some((sp) => sp.proto === proto && sp.ranges.some(([a, b]) => p >= a && p <= b))), `port ${p}`).toBe(true);
      }
    });
  }
  for (const r of sky.filter((x) => x.kind === "footnote")) {
    it(`environment ${r.scenario} note (${r.note}) is encoded`, () => {
      for (const id of r.rules ?? [r.rule!]) {
        const rule = rs.rules.find((x) => x.id === id);
        expect(rule, id).toBeDefined();
        expect(rule!.scenarios).toContain(r.scenario);
        expect(rule!.source).toMatch(/000/);
      }
    });
  }
  it("marks every rule the document does not state as inferred, with a reason", () => {
    const inferred = rs.rules.filter((r) => r.inferred);
    expect(inferred.length).toBeGreaterThan(0);
    for (const r of inferred) expect(r.inferredReason ?? "").not.toBe("");
  });
  it("catalogue items 1 and 2 follow their variables (--set product_port / https_port)", () => {
    const moved = resolveRuleset(def, new Map(), new Map<string, number | string>([["product_port", 39000], ["https_port", 8443]]));
    const product = moved.services.find((s) => s.ports.some((p) => p.ranges.some(([a]) => a === 39000)));
    expect(product).toBeDefined();
    expect(moved.services.some((s) => s.ports.some((p) => p.ranges.some(([a]) => a === 8443)))).toBe(true);
    expect(moved.services.some((s) => s.ports.some((p) => p.ranges.some(([a]) => a === 38000)) && s.id === product!.id)).toBe(false);
  });
});
