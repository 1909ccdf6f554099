import { describe, it, expect } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Rule } from "../../src/model/ruleset.js";
import type { Inventory, InventoryEntry } from "../../src/model/inventory.js";
import { RoleLookup } from "../../src/match/roles.js";
import { Matcher } from "../../src/match/matcher.js";
import { PROTO_TCP } from "../../src/decode/batch.js";
import { setupCheck } from "../../src/pipeline/check.js";
import { tmpFiles } from "../helpers/tmp.js";

/**
 * The number of roles has no limit, and compiling the matcher grows with the rules, not with the
 * square of the roles: it used to size an array roles² x 4 (a RangeError past 32,768 roles) and to
 * look each rule's roles up with a linear scan.
 */
const addr = (i: number) => (10 << 24) + i;

/** n roles r0..r(n-1); rule i: r_i -> r_(i+1) on tcp/445; one /32 per role. */
function generated(n: number): { roleIds: string[]; rules: Rule[]; inventory: Inventory } {
  const roleIds = Array.from({ length: n }, (_, i) => `r${i}`);
  const rules: Rule[] = roleIds.map((from, i) => ({
    index: i, id: `rule-${i}`, from, to: roleIds[(i + 1) % n]!, services: ["smb"], scenarios: ["a"], requirement: "required",
    purpose: "p", source: "s", inferred: false, sourcePorts: null, flows: [{ proto: PROTO_TCP, ranges: [[445, 445]] }], enabled: true,
    dependsOn: [], line: 1, column: 1,
  }));
  const entries: InventoryEntry[] = roleIds.map((role, i) => ({
    family: 4, words: [addr(i) >>> 0, 0, 0, 0], prefixLength: 32, roles: [role], text: "", line: i + 1, column: 1,
  }));
  return { roleIds, rules, inventory: { file: "inv", entries, variables: new Map(), firewall: [], hosts: [], warnings: [] } };
}

function compile(n: number): { matcher: Matcher; cpuMs: number } {
  const g = generated(n);
  const t0 = process.cpuUsage();
  const matcher = new Matcher(g.rules, new RoleLookup(g.roleIds, g.inventory));
  const t = process.cpuUsage(t0);
  return { matcher, cpuMs: (t.user + t.system) / 1000 };
}

describe("many roles", () => {
  it("compiles a matrix of 100,000 roles and matches exactly its rules", () => {
    const { matcher } = compile(100_000);
    const set = (i: number) => matcher.roles.lookup4(addr(i) >>> 0);
    for (const i of [0, 32_767, 32_768, 65_536, 99_998, 99_999]) {
      const next = (i + 1) % 100_000;
      expect(matcher.roles.setRoleIds(set(i))).toEqual([`r${i}`]);
      expect(matcher.expected(set(i), set(next), PROTO_TCP, 445, 50_000)).toBe(true);
      expect(matcher.findRule(set(i), set(next), PROTO_TCP, 445, 50_000)?.id).toBe(`rule-${i}`);
      expect(matcher.expected(set(next), set(i), PROTO_TCP, 445, 50_000)).toBe(false);
      expect(matcher.expected(set(i), set(next), PROTO_TCP, 446, 50_000)).toBe(false);
    }
  }, 120_000);

  it("takes CPU time about linear in the roles: 10x the roles costs well under 40x (quadratic: 100x)", () => {
    compile(10_000); // warm the JIT
    const best = (n: number) => Math.min(...[0, 1, 2].map(() => compile(n).cpuMs));
    const small = best(10_000);
    const large = best(100_000);
    expect(large / small, `10k roles ${small.toFixed(0)} ms, 100k roles ${large.toFixed(0)} ms`).toBeLessThan(40);
  }, 300_000);

  it("loads a ruleset and an inventory past the old limit (33,000 roles) from YAML", () => {
    const n = 33_000;
    const dir = tmpFiles({});
    const roles = Array.from({ length: n }, (_, i) => `- {id: r${i}, title: r}`).join("\n");
    const rules = Array.from({ length: 50 }, (_, i) => `- {id: u${i}, from: r${i * 600}, to: r${i * 600 + 1}, services: [s], scenarios: [a], requirement: required, purpose: p, source: s}`).join("\n");
    writeFileSync(join(dir, "rs.yaml"), `id: many\ntitle: many\nversion: 1\nprovenance: {document: generated}\nscenarios: [{id: a, title: a}]\nservices: [{id: s, title: s, ports: [{tcp: "445"}]}]\nroles:\n${roles}\nrules:\n${rules}\n`);
    writeFileSync(join(dir, "inv.yaml"), `roles:\n${Array.from({ length: n }, (_, i) => `  r${i}: [10.${i >> 16}.${(i >> 8) & 255}.${i & 255}]`).join("\n")}\n`);
    const s = setupCheck(join(dir, "rs.yaml"), join(dir, "inv.yaml"), [], new Map());
    expect(s.ruleset.roles).toHaveLength(n);
    expect(s.inventory.entries).toHaveLength(n);
    const w = new Uint32Array([addr(32_401) >>> 0]);
    expect(s.matcher.roles.setRoleIds(s.matcher.roles.lookup(4, w, 0))).toEqual(["r32401"]);
  }, 300_000);
});
