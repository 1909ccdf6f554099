import { describe, it, expect } from "vitest";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { loadRulesetDef, resolveRuleset, activeRules, type Rule, type Ruleset } from "../../src/model/ruleset.js";
import { parseInventoryYaml } from "../../src/model/inventory.js";
import { RoleLookup } from "../../src/match/roles.js";
import { Matcher } from "../../src/match/matcher.js";
import { describeNeeding, needSeeds, seedsDir } from "../helpers/need.js";
import { join } from "node:path";

/**
 * The shipped rulesets against an independent transcription of the seeds
 * (fixtures/seeds/seed-statements.json, made from the Japanese originals, not from the YAML; its
 * `about` explains the shape). Four checks:
 *  1. the transcription is the seed's: every quoted line is in the seed, under the heading it names,
 *     and every flow-bearing line of the seed is transcribed or listed as unchecked with a reason;
 *  2. each statement, through the real Matcher with an inventory of one host per role, is expected in
 *     each of its phases, while its reverse, the ports just outside it, a client port outside its
 *     client range, and the same flow in other phases are not (unless another statement says so, or
 *     the rule that allows it is marked inferred);
 *  3. every rule the ruleset does not mark inferred traces to a statement: same roles, phases, ports,
 *     client ports and requirement;
 *  4. every 「quote」 and every run of Japanese in a ruleset is verbatim from the seed.
 */

type Proto = "tcp" | "udp" | "icmp" | "icmpv6";
interface Flow { protocol: Proto; ports: (number | string)[] | "any"; reading?: string }
interface Ref { ref: string }
interface Quoted { id: string; seed: string; group: string; lines: string[] }
interface Statement extends Quoted {
  from: string; to: string; direction?: "between"; flows: (Flow | Ref)[]; phases: string[];
  condition?: string; sourcePorts?: (number | string)[]; mirroredWhenTwoWay?: boolean; reading?: string;
}
interface PortItem extends Quoted { flows: Flow[] }
interface Fixture {
  roles: Record<string, Record<string, { roles: string[]; readings?: Record<string, string> }>>;
  phases: Record<string, Record<string, string[]>>;
  references: Record<string, { flows: Flow[]; seed?: string; lines?: string[] }>;
  twoWay: Quoted & { when: Record<string, string> };
  statements: Statement[];
  portList: PortItem[];
  unchecked: (Quoted & { why: string })[];
}

const fx = JSON.parse(readFileSync("fixtures/seeds/seed-statements.json", "utf8")) as Fixture;
/** The vendors' documents are read where the project keeps them (../shared/seeds), never copied here. */
const SEED_NAMES: Record<string, string> = { "000": "000_5ba7f38ddc44bcce.txt", "004": "004_55845f07b7517b46.txt" };
const seedFile = (seed: string) => join(seedsDir()!, SEED_NAMES[seed]!);
const seedText = (seed: string) => readFileSync(seedFile(seed), "utf8");
const seedLines = (seed: string) => seedText(seed).split("\n");
const RULESET_OF: Record<string, string> = { "000": "skydiv-desktop-client", "004": "kcps-file-server" };
const PROTO: Record<Proto, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };
type Range = [number, number];

function ranges(ports: Flow["ports"] | (number | string)[]): Range[] {
  if (ports === "any") return [[0, 255]];
  return ports.map((p) => {
    if (typeof p === "number") return [p, p];
    const [a, b] = p.split("-").map(Number) as [number, number];
    return [a, b];
  });
}

/** A statement's flows with references expanded, as (protocol number, ranges). */
function flowsOf(st: { flows: (Flow | Ref)[] }): { proto: number; ranges: Range[] }[] {
  return st.flows.flatMap((f) => ("ref" in f ? fx.references[f.ref]!.flows : [f])).map((f) => ({ proto: PROTO[f.protocol], ranges: ranges(f.ports) }));
}

const inRanges = (rs: Range[], v: number) => rs.some(([a, b]) => v >= a && v <= b);
const rolesOf = (seed: string, name: string, literalOnly: boolean): string[] => {
  const m = fx.roles[seed]![name];
  if (!m) throw new Error(`fixture: no role mapping for "${name}" (seed ${seed})`);
  return literalOnly ? m.roles : [...m.roles, ...Object.keys(m.readings ?? {})];
};
const scenariosOf = (st: { seed: string; phases: string[] }): string[] =>
  st.phases.flatMap((p) => {
    const s = fx.phases[st.seed]![p];
    if (!s) throw new Error(`fixture: no scenario mapping for phase "${p}" (seed ${st.seed})`);
    return s;
  });

interface Probe { from: string; to: string; proto: number; port: number; src: number; scenario: string }

/** Does some statement of the seed say this flow happens (the slow reference the matcher is held to)? */
function documented(seed: string, p: Probe, o: { literalOnly: boolean; twoWay: boolean }): Statement[] {
  return fx.statements.filter((st) => {
    if (st.seed !== seed || !scenariosOf(st).includes(p.scenario)) return false;
    const f = rolesOf(seed, st.from, o.literalOnly), t = rolesOf(seed, st.to, o.literalOnly);
    const forward = f.includes(p.from) && t.includes(p.to);
    const back = f.includes(p.to) && t.includes(p.from) && (st.direction === "between" || (o.twoWay && st.mirroredWhenTwoWay === true));
    if (!forward && !back) return false;
    if (st.sourcePorts && p.src >= 0 && !inRanges(ranges(st.sourcePorts), p.src)) return false;
    return flowsOf(st).some((fl) => fl.proto === p.proto && inRanges(fl.ranges, p.port));
  });
}

/** The ruleset compiled as `check` compiles it, with one inventory host per role (10.0.<role index>.1). */
function compiled(rulesetId: string, vars: ReadonlyMap<string, string> = new Map()) {
  const def = loadRulesetDef(rulesetId);
  const roleIds = def.raw.roles.map((r) => r.id);
  const inv = parseInventoryYaml("test-inventory.yaml", "roles:\n" + roleIds.map((r, i) => `  ${r}: [10.0.${i}.1]`).join("\n") + "\n", roleIds);
  const rs = resolveRuleset(def, new Map(), vars);
  const roles = new RoleLookup(roleIds, inv);
  const set = (role: string) => roles.lookup4(((10 << 24) + (roleIds.indexOf(role) << 8) + 1) >>> 0);
  const matchers = new Map(rs.scenarios.map((s) => [s.id, new Matcher(activeRules(rs, [s.id]), roles)] as const));
  const expected = (p: Probe) => matchers.get(p.scenario)!.expected(set(p.from), set(p.to), p.proto, p.port, p.src);
  const ruleFor = (p: Probe) => matchers.get(p.scenario)!.findRule(set(p.from), set(p.to), p.proto, p.port, p.src);
  return { rs, roleIds, expected, ruleFor };
}
type Compiled = ReturnType<typeof compiled>;

const show = (p: Probe) => `${p.from} -> ${p.to} proto ${p.proto} port ${p.port} from port ${p.src} in ${p.scenario}`;
const samples = ([a, b]: Range): number[] => [...new Set([a, b, (a + b) >> 1])];
const clientPorts = (st: Statement): number[] => (st.sourcePorts ? ranges(st.sourcePorts).map(([a]) => a) : [50000]);

/** Flows that must not be expected: a statement's reverse, the ports just outside, a foreign client port. */
function negatives(st: Statement, p: Probe, r: Range, isPort: boolean): Probe[] {
  const out: Probe[] = [];
  if (st.direction !== "between") out.push({ ...p, from: p.to, to: p.from });
  if (isPort) for (const q of [r[0] - 1, r[1] + 1]) if (q >= 1 && q <= 65535) out.push({ ...p, port: q });
  if (st.sourcePorts && !inRanges(ranges(st.sourcePorts), 40000)) out.push({ ...p, src: 40000 });
  return out;
}

/** Not expected, unless a statement says so, or the rule that allows it says it is the ruleset's reading. */
function expectNotUnlessDocumented(c: Compiled, seed: string, p: Probe, why: string, twoWay: boolean): void {
  const doc = documented(seed, p, { literalOnly: false, twoWay });
  if (doc.length > 0) {
    // A statement without a direction (間) is met by either direction.
    const ok = c.expected(p) || (doc.some((s) => s.direction === "between") && c.expected({ ...p, from: p.to, to: p.from }));
    expect(ok, `${why}: ${show(p)} is stated by ${doc[0]!.id}, so it must be expected`).toBe(true);
    return;
  }
  const rule = c.expected(p) ? c.ruleFor(p) : undefined;
  expect(rule === undefined || rule.inferred, `${why}: ${show(p)} is in no seed statement, yet rule ${rule?.id} expects it without being marked inferred`).toBe(true);
}

function checkStatement(c: Compiled, st: Statement, twoWay: boolean): void {
  const scenarios = scenariosOf(st);
  const where = `${st.id} 「${st.lines.at(-1)}」`;
  for (const scenario of scenarios) {
    for (const from of rolesOf(st.seed, st.from, false)) {
      for (const to of rolesOf(st.seed, st.to, false)) {
        for (const fl of flowsOf(st)) {
          const isPort = fl.proto === 6 || fl.proto === 17;
          for (const r of fl.ranges) {
            for (const port of isPort ? samples(r) : [8, 13]) {
              for (const src of clientPorts(st)) {
                const p: Probe = { from, to, proto: fl.proto, port, src, scenario };
                const ok = c.expected(p) || (st.direction === "between" && c.expected({ ...p, from: to, to: from }));
                expect(ok, `${where}: ${show(p)} must be expected`).toBe(true);
                const rule = c.ruleFor(p) ?? c.ruleFor({ ...p, from: to, to: from })!;
                expect(rule.requirement, `${where}: rule ${rule.id} must be ${st.condition ? "conditional" : "required"}`).toBe(st.condition ? "conditional" : "required");
                for (const n of negatives(st, p, r, isPort)) expectNotUnlessDocumented(c, st.seed, n, where, twoWay);
              }
            }
          }
        }
      }
    }
  }
  // The same flows in the phases the statement does not name.
  for (const scenario of c.rs.scenarios.map((s) => s.id).filter((s) => !scenarios.includes(s))) {
    for (const from of rolesOf(st.seed, st.from, false)) for (const to of rolesOf(st.seed, st.to, false)) {
      for (const fl of flowsOf(st)) {
        const p: Probe = { from, to, proto: fl.proto, port: fl.ranges[0]![0] === 0 && fl.proto <= 1 ? 8 : fl.ranges[0]![0], src: clientPorts(st)[0]!, scenario };
        expectNotUnlessDocumented(c, st.seed, p, `${where} (phase not named)`, twoWay);
      }
    }
  }
}

/** Is [a, b] inside the union of `rs`? */
function covered([a, b]: Range, rs: Range[]): boolean {
  let next = a;
  for (const [x, y] of [...rs].sort((u, v) => u[0] - v[0])) {
    if (x > next) break;
    if (y >= next) next = y + 1;
    if (next > b) return true;
  }
  return next > b;
}

/** Why a rule not marked inferred does not trace to the seed's statements, or undefined when it does. */
function untraced(seed: string, rule: Rule, twoWay: boolean): string | undefined {
  for (const scenario of rule.scenarios) {
    const stmts = fx.statements.filter((st) => {
      if (st.seed !== seed || !scenariosOf(st).includes(scenario)) return false;
      if ((st.condition !== undefined) !== (rule.requirement === "conditional")) return false;
      const f = rolesOf(seed, st.from, true), t = rolesOf(seed, st.to, true);
      const forward = f.includes(rule.from) && t.includes(rule.to);
      const back = f.includes(rule.to) && t.includes(rule.from) && (st.direction === "between" || (twoWay && st.mirroredWhenTwoWay === true));
      if (!forward && !back) return false;
      // The statement must allow every client port the rule allows.
      if (!st.sourcePorts) return true;
      return rule.sourcePorts !== null && rule.sourcePorts.every((r) => covered([r[0], r[1]], ranges(st.sourcePorts!)));
    });
    for (const flow of rule.flows) {
      const union = stmts.flatMap((st) => flowsOf(st).filter((f) => f.proto === flow.proto).flatMap((f) => f.ranges));
      for (const r of flow.ranges) {
        if (!covered([r[0], r[1]], union)) {
          return `rule ${rule.id} (${rule.requirement}) ${rule.from} -> ${rule.to} proto ${flow.proto} ${r[0]}-${r[1]} in ${scenario}: no seed statement says so (${rule.source})`;
        }
      }
    }
  }
  return undefined;
}

const ALL_QUOTED: Quoted[] = [...fx.statements, ...fx.portList, ...fx.unchecked, fx.twoWay];

/**
 * Where each of a quote's lines is in its seed: the first matching line after its heading and before
 * the next heading any quote of that seed uses (-1 when it is not there).
 */
function locate(q: Quoted): number[] {
  const lines = seedLines(q.seed);
  const g = lines.indexOf(q.group);
  const heads = [...new Set(ALL_QUOTED.filter((x) => x.seed === q.seed).map((x) => lines.indexOf(x.group)))].filter((i) => i > g);
  const end = heads.length > 0 ? Math.min(...heads) : lines.length;
  return q.lines.map((l) => (g < 0 ? -1 : lines.findIndex((x, i) => i >= g && i < end && x === l)));
}

describeNeeding([needSeeds], "the transcription is the seed's", () => {
  it("the seed documents are the ones recorded in fixtures/seeds/PROVENANCE.md", () => {
    const prov = readFileSync("fixtures/seeds/PROVENANCE.md", "utf8");
    for (const file of Object.keys(SEED_NAMES).map(seedFile)) {
      const sha = createHash("sha256").update(readFileSync(file)).digest("hex");
      expect(prov, file).toContain(sha);
    }
  });

  it("every quoted line is a whole line of the seed, under the heading the statement names", () => {
    for (const q of ALL_QUOTED) {
      const lines = seedLines(q.seed);
      const g = lines.indexOf(q.group);
      expect(g, `${q.id}: heading 「${q.group}」 is not a line of seed ${q.seed}`).toBeGreaterThanOrEqual(0);
      expect(lines.lastIndexOf(q.group), `${q.id}: heading 「${q.group}」 is not unique`).toBe(g);
      locate(q).forEach((at, k) => expect(at, `${q.id}: 「${q.lines[k]}」 is not a line of seed ${q.seed} under 「${q.group}」`).toBeGreaterThanOrEqual(0));
    }
    for (const [name, ref] of Object.entries(fx.references)) {
      for (const l of ref.lines ?? []) expect(seedLines(ref.seed!), `${name}: 「${l}」`).toContain(l);
    }
  });

  it("every line of the seeds that states a flow, a port or a footnote is transcribed or listed as unchecked", () => {
    // By position: the same footnote text in two environments is two lines to transcribe.
    const done = new Set(ALL_QUOTED.flatMap((q) => [seedLines(q.seed).indexOf(q.group), ...locate(q)].map((i) => `${q.seed}:${i}`)));
    const missing: string[] = [];
    const need = (seed: string, pick: (l: string, i: number, all: string[]) => boolean) =>
      seedLines(seed).forEach((l, i, all) => { if (pick(l, i, all) && !done.has(`${seed}:${i}`)) missing.push(`seed ${seed} line ${i + 1}: ${l}`); });
    const k = seedLines("004");
    const t1 = k.indexOf("使用プロトコル | 送信元 | 送信先 | アクション | 内容 |");
    const t1end = k.findIndex((l) => l.startsWith("※ 表中"));
    const seq = k.indexOf("通信シーケンス");
    expect([t1 > 0, t1end > t1, seq > 0]).toEqual([true, true, true]);
    need("004", (l, i) => (i > t1 && i < t1end) || /^(53, )?49152 -65535\//.test(l) || l.startsWith("※ FSRM") || (i > seq && l.startsWith("- ")));
    need("000", (l) => /^[※(]/.test(l) || /^\d\t/.test(l));
    expect(missing, missing.join("\n")).toEqual([]);
  });
});

for (const seed of ["004", "000"]) {
  const rulesetId = RULESET_OF[seed]!;
  const variants: [string, Map<string, string>, boolean][] = seed === "004"
    ? [["one-way trust", new Map(), false], ["two-way trust", new Map(Object.entries(fx.twoWay.when)), true]]
    : [["defaults", new Map(), false]];
  for (const [label, vars, twoWay] of variants) {
    describe(`${rulesetId} (${label}) against seed ${seed}`, () => {
      const c = compiled(rulesetId, vars);
      for (const st of fx.statements.filter((s) => s.seed === seed)) {
        it(`${st.id}: expected in its phases, and not the other way, on other ports or in other phases`, () => checkStatement(c, st, twoWay));
      }
      it("every rule not marked inferred traces to a seed statement", () => {
        const problems = c.rs.rules.filter((r) => r.enabled && !r.inferred).map((r) => untraced(seed, r, twoWay)).filter((x) => x !== undefined);
        expect(problems, problems.join("\n")).toEqual([]);
      });
    });
  }
}

describe("skydiv-desktop-client: ports the seed lists without endpoints", () => {
  const c = compiled("skydiv-desktop-client");
  const pairs = (rs: Ruleset) => rs.scenarios.flatMap((s) => c.roleIds.flatMap((f) => c.roleIds.map((t) => ({ from: f, to: t, scenario: s.id }))));
  for (const item of fx.portList) {
    it(`${item.id} 「${item.lines[0]!.replace(/\t/g, " ").trim()}」 is expected between some roles, and the ports beside it nowhere`, () => {
      for (const fl of flowsOf(item)) {
        const [[port]] = fl.ranges as [Range];
        expect(pairs(c.rs).some((x) => c.expected({ ...x, proto: fl.proto, port, src: 50000 })), `${item.id}: port ${port}`).toBe(true);
        for (const q of [port - 1, port + 1]) {
          for (const x of pairs(c.rs)) expectNotUnlessDocumented(c, "000", { ...x, proto: fl.proto, port: q, src: 50000 }, item.id, false);
        }
      }
    });
  }
});

describeNeeding([needSeeds], "every quote in a ruleset is verbatim from the seed", () => {
  /** Every string in the parsed YAML, with the seeds it may quote: those it names, else the ruleset's own. */
  function strings(v: unknown, out: string[] = []): string[] {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) for (const x of v) strings(x, out);
    else if (v !== null && typeof v === "object") for (const x of Object.values(v)) strings(x, out);
    return out;
  }
  /** Top-level 「...」 quotes, nested brackets kept inside. */
  function quotes(s: string): string[] {
    const out: string[] = [];
    let depth = 0, start = -1;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === "「") { if (depth++ === 0) start = i + 1; }
      else if (s[i] === "」" && depth > 0 && --depth === 0) out.push(s.slice(start, i));
    }
    expect(depth, `unbalanced 「」 in: ${s}`).toBe(0);
    return out;
  }
  const JAPANESE = /[\u3000-\u300b\u300e-\u303f\u3040-\u30ff\u4e00-\u9fff\uff00-\uffef]+/g;
  for (const [seed, id] of Object.entries(RULESET_OF)) {
    it(`${id}: 「quotes」 and every run of Japanese are in seed ${seed} (or in seed 004 where the text names it)`, () => {
      const raw = parse(readFileSync(`rulesets/${id}.yaml`, "utf8")) as unknown;
      const bad: string[] = [];
      for (const s of strings(raw)) {
        const named = ["000", "004"].filter((n) => s.includes(`seed ${n}`));
        const texts = (named.length > 0 ? named : [seed]).map(seedText);
        const found = (q: string) => texts.some((t) => t.includes(q));
        for (const q of quotes(s)) if (!found(q)) bad.push(`「${q}」`);
        for (const run of s.replace(/[「」]/g, " ").match(JAPANESE) ?? []) if (!found(run)) bad.push(run);
      }
      expect(bad, bad.join(", ")).toEqual([]);
    });
  }
});

describe("the shipped rulesets' shape", () => {
  it("SKYDIV: the six environments are scenarios; items 1 and 2 follow their variables", () => {
    const def = loadRulesetDef("skydiv-desktop-client");
    const rs = resolveRuleset(def, new Map(), new Map());
    expect(rs.scenarios.map((s) => s.id).sort()).toEqual(["db-redundancy", "internet", "linux", "sbc", "sbc-replicated", "vdi"]);
    const moved = resolveRuleset(def, new Map(), new Map<string, number | string>([["product_port", 39000], ["https_port", 8443]]));
    const ports = (r: Ruleset) => new Set(r.services.flatMap((s) => s.ports.flatMap((p) => p.ranges.map(([a]) => a))));
    expect(ports(moved).has(39000) && ports(moved).has(8443)).toBe(true);
    expect(ports(moved).has(38000)).toBe(false);
  });
  it("every inferred rule has a reason", () => {
    for (const id of Object.values(RULESET_OF)) {
      const rs = resolveRuleset(loadRulesetDef(id), new Map(), new Map());
      for (const r of rs.rules.filter((x) => x.inferred)) expect(r.inferredReason ?? "", `${id} ${r.id}`).not.toBe("");
    }
  });
  it("SKYDIV: with product_port_direction=to-center-server the center server no longer opens the product port", () => {
    const both = compiled("skydiv-desktop-client");
    const inward = compiled("skydiv-desktop-client", new Map([["product_port_direction", "to-center-server"]]));
    const p: Probe = { from: "center-server", to: "rds", proto: 6, port: 38000, src: 50000, scenario: "sbc" };
    expect(both.expected(p)).toBe(true);
    expect(both.ruleFor(p)!.inferred).toBe(true);
    expect(inward.expected(p)).toBe(false);
    expect(inward.expected({ ...p, from: "rds", to: "center-server" })).toBe(true);
  });
});
