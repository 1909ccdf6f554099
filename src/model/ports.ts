import type { PortSpec } from "./ruleset-types.js";

/** An inclusive range of ports (or ICMP types). */
export type Range = readonly [number, number];

export type VariableValues = ReadonlyMap<string, number | string>;

/** Thrown by the evaluators with a message only; the caller adds file:line:column. */
export class SpecError extends Error {}

const VAR = /^\$\{([a-z][a-z0-9_]*)\}$/;
const TERM = /^\s*(\d+|\$\{[a-z][a-z0-9_]*\})\s*/;

/** Evaluate "443", "${https_port}" or "${base}+${limit}-1" to an integer. */
export function evalExpr(expr: number | string, vars: VariableValues): number {
  if (typeof expr === "number") {
    if (!Number.isInteger(expr)) throw new SpecError(`expected an integer, got ${expr}`);
    return expr;
  }
  let rest = expr;
  let total = 0;
  let sign = 1;
  let first = true;
  while (true) {
    const m = TERM.exec(rest);
    if (!m) throw new SpecError(`cannot read "${expr}": expected integers and \${variable} joined by + or -`);
    const term = m[1]!;
    let value: number;
    if (term.startsWith("${")) {
      const name = VAR.exec(term)![1]!;
      const v = vars.get(name);
      if (v === undefined) throw new SpecError(`unknown variable "${name}"; known: ${[...vars.keys()].join(", ") || "none"}`);
      if (typeof v !== "number") throw new SpecError(`variable "${name}" is "${v}", expected a number`);
      value = v;
    } else {
      value = Number(term);
    }
    total += sign * value;
    rest = rest.slice(m[0].length);
    if (rest === "") break;
    const op = rest[0];
    if (op !== "+" && op !== "-") throw new SpecError(`cannot read "${expr}": expected + or - before "${rest}"`);
    sign = op === "+" ? 1 : -1;
    rest = rest.slice(1);
    first = false;
  }
  void first;
  return total;
}

function checkPort(n: number, what: string, max: number): number {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new SpecError(`${what} ${n} is out of range; expected 0..${max}`);
  return n;
}

/** One PortSpec to a range. */
export function evalPortSpec(spec: PortSpec, vars: VariableValues, max = 65535): Range {
  if (typeof spec === "number") {
    const p = checkPort(spec, "port", max);
    return [p, p];
  }
  if (typeof spec === "string") {
    const s = spec.trim();
    if (!s.includes("${")) {
      const m = /^(\d+)\s*-\s*(\d+)$/.exec(s);
      if (m) return orderedRange(Number(m[1]), Number(m[2]), spec, max);
      if (/^\d+$/.test(s)) {
        const p = checkPort(Number(s), "port", max);
        return [p, p];
      }
      throw new SpecError(`cannot read port "${spec}"; expected a number, "a-b", "\${variable}" or {from, to}`);
    }
    // "${a}-${b}" is a range of two variables; anything else with a variable is one expression.
    const two = /^(\$\{[a-z][a-z0-9_]*\})\s*-\s*(\$\{[a-z][a-z0-9_]*\})$/.exec(s);
    if (two) return orderedRange(evalExpr(two[1]!, vars), evalExpr(two[2]!, vars), spec, max);
    const p = checkPort(evalExpr(s, vars), "port", max);
    return [p, p];
  }
  if (spec !== null && typeof spec === "object" && "from" in spec && "to" in spec) {
    return orderedRange(evalExpr(spec.from, vars), evalExpr(spec.to, vars), `${spec.from}..${spec.to}`, max);
  }
  throw new SpecError(`cannot read port ${JSON.stringify(spec)}; expected a number, "a-b", "\${variable}" or {from, to}`);
}

function orderedRange(a: number, b: number, text: string, max: number): Range {
  checkPort(a, "port", max);
  checkPort(b, "port", max);
  if (a > b) throw new SpecError(`range "${text}" runs backwards (${a} > ${b})`);
  return [a, b];
}

export function evalPortList(spec: PortSpec | PortSpec[], vars: VariableValues, max = 65535): Range[] {
  const list = Array.isArray(spec) ? spec : [spec];
  return list.map((s) => evalPortSpec(s, vars, max));
}

/** Render ranges the way people write them: "53", "135, 593, 49152-65535". */
export function formatRanges(ranges: readonly Range[]): string {
  return mergeRanges(ranges).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(", ");
}

export function mergeRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function inRanges(ranges: readonly Range[], v: number): boolean {
  for (const [a, b] of ranges) if (v >= a && v <= b) return true;
  return false;
}
