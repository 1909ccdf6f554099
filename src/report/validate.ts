/**
 * A saved JSON report (for `diff`, `--baseline`, `why`) comes from a file anyone can edit, so before
 * one is used its shape is checked: the fields the readers use, as docs/report.schema.json states them
 * (test/report/validate.test.ts holds this check to that schema). The answer names the first wrong
 * place as a JSON path: `$.findings[3].verdict: expected one of ..., got 42`.
 */
import { VERDICTS } from "../match/matcher.js";
import { FAIL_ON_ITEMS } from "./fail-on.js";

const COVERAGE_STATUS = ["allowed", "blocked", "allowed-and-blocked", "unobserved", "not-observed", "no-hosts"];
const PROTOCOL = /^(tcp|udp|icmp|icmpv6|ip-proto-[0-9]+)$/;

class Wrong extends Error {}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

function wrong(path: string, expected: string, got: unknown): never {
  throw new Wrong(`${path}: expected ${expected}, got ${show(got)}`);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) wrong(path, "an object", v);
  return v as Record<string, unknown>;
}

function list(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) wrong(path, "a list", v);
  return v;
}

function str(v: unknown, path: string, nullable = false): void {
  if (typeof v === "string" || (nullable && v === null)) return;
  wrong(path, nullable ? "a string or null" : "a string", v);
}

function int(v: unknown, path: string, min: number, max: number, nullable = false): void {
  if ((nullable && v === null) || (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max)) return;
  wrong(path, `${nullable ? "null or " : ""}an integer from ${min} to ${max}`, v);
}

function oneOf(v: unknown, path: string, values: readonly unknown[]): void {
  if (!values.includes(v)) wrong(path, `one of ${values.join(", ")}`, v);
}

function strings(v: unknown, path: string): void {
  list(v, path).forEach((x, i) => str(x, `${path}[${i}]`));
}

function finding(v: unknown, p: string): void {
  const f = obj(v, p);
  oneOf(f.verdict, `${p}.verdict`, VERDICTS);
  str(f.src, `${p}.src`);
  str(f.dst, `${p}.dst`);
  str(f.srcRole, `${p}.srcRole`, true);
  str(f.dstRole, `${p}.dstRole`, true);
  if (typeof f.protocol !== "string" || !PROTOCOL.test(f.protocol)) wrong(`${p}.protocol`, "tcp, udp, icmp, icmpv6 or ip-proto-N", f.protocol);
  int(f.port, `${p}.port`, 0, 65535, true);
  int(f.icmpType, `${p}.icmpType`, 0, 255, true);
  str(f.rule, `${p}.rule`, true);
  if (typeof f.count !== "number" || !(f.count >= 0)) wrong(`${p}.count`, "a number of records", f.count);
  str(f.firstSeen, `${p}.firstSeen`, true);
  str(f.lastSeen, `${p}.lastSeen`, true);
  strings(f.evidence, `${p}.evidence`);
  strings(f.services, `${p}.services`);
}

function coverage(v: unknown, p: string): void {
  const c = obj(v, p);
  str(c.rule, `${p}.rule`);
  str(c.from, `${p}.from`);
  str(c.to, `${p}.to`);
  strings(c.services, `${p}.services`);
  oneOf(c.status, `${p}.status`, COVERAGE_STATUS);
}

function input(v: unknown, p: string): void {
  const i = obj(v, p);
  str(i.path, `${p}.path`);
  const r = obj(i.records, `${p}.records`);
  for (const k of ["read", "used", "skipped"]) int(r[k], `${p}.records.${k}`, 0, Number.MAX_SAFE_INTEGER);
  str(i.error, `${p}.error`, true);
}

function checked(v: unknown, p: string): void {
  const c = obj(v, p);
  list(c.problems, `${p}.problems`).forEach((x, k) => {
    const q = obj(x, `${p}.problems[${k}]`);
    str(q.code, `${p}.problems[${k}].code`);
    str(q.message, `${p}.problems[${k}].message`);
    if (typeof q.fatal !== "boolean") wrong(`${p}.problems[${k}].fatal`, "true or false", q.fatal);
  });
}

/** What identifies the ruleset and inventory (report/identity.ts compares them); the hashes are absent in older reports. */
function identity(r: Record<string, unknown>): void {
  const rs = obj(r.ruleset, "$.ruleset");
  str(rs.id, "$.ruleset.id");
  strings(rs.scenarios, "$.ruleset.scenarios");
  const vars = obj(rs.variables, "$.ruleset.variables");
  for (const [k, x] of Object.entries(vars)) {
    const value = obj(x, `$.ruleset.variables.${k}`).value;
    if (typeof value !== "number" && typeof value !== "string") wrong(`$.ruleset.variables.${k}.value`, "a number or a string", value);
  }
  for (const k of ["sha256", "rulesSha256"]) if (rs[k] !== undefined) str(rs[k], `$.ruleset.${k}`);
  const inv = obj(r.inventory, "$.inventory");
  str(inv.file, "$.inventory.file");
  int(inv.entries, "$.inventory.entries", 0, Number.MAX_SAFE_INTEGER);
  if (inv.sha256 !== undefined) str(inv.sha256, "$.inventory.sha256");
}

/** The first place where `v` is not a report as the readers need it, or undefined when it is one. */
export function reportShapeError(v: unknown): string | undefined {
  try {
    const r = obj(v, "$");
    identity(r);
    list(r.failOn, "$.failOn").forEach((x, i) => oneOf(x, `$.failOn[${i}]`, FAIL_ON_ITEMS));
    oneOf(r.exitCode, "$.exitCode", [0, 1, 2]);
    list(r.findings, "$.findings").forEach((f, i) => finding(f, `$.findings[${i}]`));
    list(r.coverage, "$.coverage").forEach((c, i) => coverage(c, `$.coverage[${i}]`));
    list(r.inputs, "$.inputs").forEach((x, i) => input(x, `$.inputs[${i}]`));
    if (r.checked !== undefined) checked(r.checked, "$.checked");
    return undefined;
  } catch (e) {
    if (e instanceof Wrong) return e.message;
    throw e;
  }
}
