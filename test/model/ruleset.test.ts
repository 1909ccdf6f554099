import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { checkRuleset, loadRulesetDef, resolveRuleset, rulesetPath } from "../../src/model/ruleset.js";
import { ValidationError, UsageError, InputError } from "../../src/errors.js";
import { tmpFiles } from "../helpers/tmp.js";

const MINIMAL = `id: mini
title: Mini
version: 1
provenance: {document: test}
variables:
  web_port: {type: port, default: 443, description: web}
  mode: {type: string, default: a, enum: [a, b], description: mode}
roles:
  - {id: client, title: Client}
  - {id: server, title: Server}
scenarios:
  - {id: run, title: Run}
services:
  - id: web
    title: Web
    ports:
      - tcp: "\${web_port}"
  - id: range
    title: Range
    ports:
      - tcp: {from: "\${web_port}", to: "\${web_port}+9"}
rules:
  - id: c-to-s
    from: client
    to: server
    services: [web]
    scenarios: [run]
    requirement: required
    purpose: browse
    source: test row 1
  - id: only-b
    from: server
    to: client
    services: [range]
    scenarios: [run]
    requirement: conditional
    condition: when b
    purpose: callback
    source: test row 2
    enabled_when: {variable: mode, equals: b}
`;

function problems(text: string): string[] {
  return checkRuleset("r.yaml", text).problems.map((p) => p.message);
}

describe("ruleset loading", () => {
  it("accepts a minimal ruleset and evaluates variables and ranges", () => {
    const { def, problems: p } = checkRuleset("r.yaml", MINIMAL);
    expect(p).toEqual([]);
    const rs = resolveRuleset(def!, new Map(), new Map());
    expect(rs.rules[0]!.flows).toEqual([{ proto: 6, ranges: [[443, 443]] }]);
    expect(rs.rules[1]!.enabled).toBe(false);
    const b = resolveRuleset(def!, new Map([["web_port", 8000]]), new Map<string, number | string>([["mode", "b"]]));
    expect(b.rules[1]!.enabled).toBe(true);
    expect(b.rules[1]!.flows).toEqual([{ proto: 6, ranges: [[8000, 8009]] }]);
    expect(b.variables.find((v) => v.name === "web_port")!.origin).toBe("inventory");
    expect(b.variables.find((v) => v.name === "mode")!.origin).toBe("command line");
  });

  it("the command line wins over the inventory, which wins over the default", () => {
    const { def } = checkRuleset("r.yaml", MINIMAL);
    const rs = resolveRuleset(def!, new Map([["web_port", 8000]]), new Map([["web_port", 9000]]));
    expect(rs.rules[0]!.flows[0]!.ranges).toEqual([[9000, 9000]]);
  });

  it("reports a YAML syntax error with line:column", () => {
    const bad = MINIMAL.replace("title: Mini", "title: [Mini");
    let err: unknown;
    try { checkRuleset("r.yaml", bad); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/^r\.yaml:\d+:\d+: YAML error/);
  });

  it("names an unknown role with the rule's line and the known roles", () => {
    const p = problems(MINIMAL.replace("from: client", "from: clinet"));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^r\.yaml:24:11: rule c-to-s: unknown role "clinet"; known roles: client, server$/);
  });

  it("lists every problem for lint, not only the first", () => {
    const p = problems(MINIMAL.replace("services: [web]", "services: [wbe]").replace("scenarios: [run]\n    requirement: required", "scenarios: [walk]\n    requirement: needed"));
    expect(p.length).toBeGreaterThanOrEqual(3);
    expect(p.join("\n")).toMatch(/unknown service "wbe"/);
    expect(p.join("\n")).toMatch(/unknown scenario "walk"/);
    expect(p.join("\n")).toMatch(/requirement must be/);
  });

  it("catches a misspelt field", () => {
    expect(problems(MINIMAL.replace("    purpose: browse", "    purpose: browse\n    sevices: [web]"))[0]).toMatch(/unknown field "sevices"/);
  });

  it("requires a reason for an inferred rule and a condition for a conditional one", () => {
    expect(problems(MINIMAL.replace("    source: test row 1", "    source: test row 1\n    inferred: true"))[0]).toMatch(/needs "inferred_reason"/);
    expect(problems(MINIMAL.replace("    condition: when b\n", ""))[0]).toMatch(/needs "condition"/);
  });

  it("rejects a port range that runs backwards, with the service's position", () => {
    const p = problems(MINIMAL.replace('to: "${web_port}+9"', 'to: "${web_port}-9"'));
    expect(p[0]).toMatch(/^r\.yaml:\d+:\d+: service range: range .* runs backwards/);
  });

  it("rejects an unknown variable in a port expression", () => {
    expect(problems(MINIMAL.replace('tcp: "${web_port}"', 'tcp: "${webport}"'))[0]).toMatch(/unknown variable "webport"/);
  });

  it("refuses YAML alias bombs", () => {
    const bomb = `a: &a ["x","x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
`;
    expect(() => checkRuleset("bomb.yaml", bomb)).toThrow(/aliases are limited|alias/i);
  });

  it("an unknown shipped ruleset is a usage error listing the shipped ones", () => {
    expect(() => rulesetPath("kcps-fileserver")).toThrow(UsageError);
    expect(() => rulesetPath("kcps-fileserver")).toThrow(/shipped rulesets: kcps-file-server, skydiv-desktop-client/);
  });

  it("a ruleset path that does not exist is an input error naming it", () => {
    expect(() => loadRulesetDef("nope/missing.yaml")).toThrow(InputError);
    expect(() => loadRulesetDef("nope/missing.yaml")).toThrow(/nope\/missing\.yaml: ruleset file not found/);
  });

  it("a user can point --ruleset at their own file", () => {
    const dir = tmpFiles({ "mine.yaml": MINIMAL });
    expect(loadRulesetDef(join(dir, "mine.yaml")).raw.id).toBe("mini");
  });
});

describe("variable defaults that follow other variables", () => {
  const withHelper = (helperDefault: string, extra = "") =>
    MINIMAL.replace(
      "  mode: {type: string",
      `  helper_port: {type: port, default: "${helperDefault}", description: helper}\n${extra}  mode: {type: string`,
    ).replace('      - tcp: "${web_port}"\n', '      - tcp: ["${web_port}", "${helper_port}"]\n');
  const webPorts = (rs: ReturnType<typeof resolveRuleset>) => rs.rules[0]!.flows[0]!.ranges.map(([a]) => a);

  it("a default written as ${other} follows the other variable wherever it is set", () => {
    const { def, problems: p } = checkRuleset("r.yaml", withHelper("${web_port}"));
    expect(p).toEqual([]);
    expect(webPorts(resolveRuleset(def!, new Map(), new Map()))).toEqual([443, 443]);
    expect(webPorts(resolveRuleset(def!, new Map(), new Map([["web_port", 8443]])))).toEqual([8443, 8443]);
    expect(webPorts(resolveRuleset(def!, new Map([["web_port", 9443]]), new Map()))).toEqual([9443, 9443]);
    const own = resolveRuleset(def!, new Map(), new Map([["web_port", 8443], ["helper_port", 7000]]));
    expect(webPorts(own)).toEqual([8443, 7000]);
    const helper = own.variables.find((v) => v.name === "helper_port")!;
    expect([helper.default, helper.value, helper.origin]).toEqual(["${web_port}", 7000, "command line"]);
  });

  it("a default may be an expression and may follow a variable declared after it", () => {
    const { def } = checkRuleset("r.yaml", withHelper("${later}+1", "  later: {type: port, default: 5000, description: later}\n"));
    expect(webPorts(resolveRuleset(def!, new Map(), new Map()))).toEqual([443, 5001]);
  });

  it("refuses a default naming an unknown or a string variable, or a circle of defaults", () => {
    expect(problems(withHelper("${webport}")).join("\n")).toMatch(/helper_port: default refers to unknown variable "webport"/);
    expect(problems(withHelper("${mode}")).join("\n")).toMatch(/default refers to "mode", a string variable/);
    expect(problems(withHelper("${web_port}*2")).join("\n")).toMatch(/is neither an integer nor an expression/);
    const circle = withHelper("${other}", '  other: {type: port, default: "${helper_port}", description: other}\n');
    expect(problems(circle).join("\n")).toMatch(/defaults refer to each other in a circle \((helper_port -> other -> helper_port|other -> helper_port -> other)\)/);
  });

  it("a followed value that leaves the port range is an error at the default, naming what it was given", () => {
    const { def } = checkRuleset("r.yaml", withHelper("${web_port}+1"));
    expect(() => resolveRuleset(def!, new Map(), new Map([["web_port", 65535]]))).toThrow(
      /^r\.yaml:\d+:\d+: variable helper_port: default "\$\{web_port\}\+1" gives 65536 \(web_port = 65535\), which is out of range 1\.\.65535$/,
    );
  });
});

describe("shipped SKYDIV ruleset: the redundancy helper's port", () => {
  it("follows --set product_port (the seed states no port of its own for the helper)", () => {
    const def = loadRulesetDef("skydiv-desktop-client");
    const helperPorts = (cli: Map<string, number | string>) => {
      const rs = resolveRuleset(def, new Map(), cli);
      return rs.services.find((s) => s.id === "redundancy-helper")!.ports.flatMap((p) => p.ranges.map(([a]) => a));
    };
    expect(helperPorts(new Map())).toEqual([38000]);
    expect(helperPorts(new Map([["product_port", 38001]]))).toEqual([38001]);
    expect(helperPorts(new Map<string, number | string>([["product_port", 38001], ["redundancy_helper_port", 40000]]))).toEqual([40000]);
  });
});
