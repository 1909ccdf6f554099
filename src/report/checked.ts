/**
 * Was anything checked? A compliance gate must not be green when it read nothing, or when the inventory
 * describes none of the traffic it read. The rules (README "Exit status", docs/report-format.md):
 *
 * - an input that could not be read to its end: `input-error`, always fatal;
 * - an input of which no record was used (empty, every record skipped): `no-records`;
 * - an input whose flow records all have an end outside the inventory: `no-classified-flows`;
 *   both fatal unless the user accepts inputs that contribute nothing (`--allow-empty`);
 * - records were used but not one address of any of them is in the inventory: the inventory does not
 *   describe this traffic (wrong file, NAT, a typo in a prefix): `inventory-matches-nothing`, always fatal;
 * - flows were classified but not one of them says whether it got through (every one `inconclusive`: a
 *   log whose prefix or field names no action, flow records without a forwarding status, a capture that
 *   saw too little of each connection): nothing was decided against the matrix, and a gate that passed
 *   would be green on a firewall it never saw act: `no-decided-flows`, fatal unless `--allow-empty`.
 *
 * Partial cases are judged per input: one empty input among three is fatal by itself (the others are
 * still read and reported), and so is an input of which only one side of every flow is known.
 */
import type { CheckProblem, Checked, InputReport } from "./types.js";

export interface CheckedInput {
  inputs: readonly Pick<InputReport, "path" | "format" | "records" | "error" | "events">[];
  /** Findings, and findings whose verdict is not `unclassified`. */
  findings: number;
  findingsClassified: number;
  /** Flows (the sum of the findings' counts) with both ends in the inventory, and of them `inconclusive`. */
  flowsClassified: number;
  flowsInconclusive: number;
  allowEmpty: boolean;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function assessChecked(x: CheckedInput): Checked {
  const problems: CheckProblem[] = [];
  const waivable = !x.allowEmpty;
  let records = 0, events = 0, classified = 0, oneEnd = 0, used = 0;
  for (const i of x.inputs) {
    records += i.records.used;
    events += i.events.total;
    classified += i.events.classified;
    oneEnd += i.events.oneEnd;
    if (i.records.used > 0) used++;
    if (i.error !== null) {
      problems.push({ code: "input-error", input: i.path, fatal: true, message: i.error });
    } else if (i.records.used === 0 && i.format === "probe") {
      const what = i.records.read === 0 ? "no inventory host of a peer role" : `all ${plural(i.records.read, "target")} were skipped`;
      problems.push({ code: "no-records", input: i.path, fatal: waivable, message: `probe: nothing was probed (${what}); nothing was checked` });
    } else if (i.records.used === 0) {
      const what = i.records.read === 0 ? "it is empty" : `all ${plural(i.records.read, "record")} read were skipped`;
      problems.push({ code: "no-records", input: i.path, fatal: waivable, message: `${i.path}: no record was used (${what}); nothing in it was checked` });
    } else if (i.events.total === 0) {
      problems.push({ code: "no-classified-flows", input: i.path, fatal: waivable, message: `${i.path}: its ${plural(i.records.used, "record")} gave no flow to match; nothing in it was checked against the matrix` });
    } else if (i.events.classified === 0) {
      const side = i.events.oneEnd > 0 ? `${i.events.oneEnd} ${i.events.oneEnd === 1 ? "has" : "have"} only one end there` : "none has an end there";
      problems.push({
        code: "no-classified-flows", input: i.path, fatal: waivable,
        message: `${i.path}: none of its ${plural(i.events.total, "flow record")} has both ends in the inventory (${side}); nothing in it was checked against the matrix`,
      });
    }
  }
  if (events > 0 && classified === 0 && oneEnd === 0) {
    problems.push({
      code: "inventory-matches-nothing", input: null, fatal: true,
      message: `not one address of the ${plural(events, "flow record")} read is in the inventory: it does not describe this traffic (another site, NAT, a wrong prefix?)`,
    });
  }
  if (x.flowsClassified > 0 && x.flowsInconclusive === x.flowsClassified) {
    problems.push({
      code: "no-decided-flows", input: null, fatal: waivable,
      message: `none of the ${plural(x.flowsClassified, "classified flow")} says whether it got through (all inconclusive: no action in the records, or too little of each connection seen); nothing was decided against the matrix`,
    });
  }
  return {
    inputs: x.inputs.length, inputsUsed: used, records, events, eventsClassified: classified,
    findings: x.findings, findingsClassified: x.findingsClassified,
    flows: x.findings, flowsClassified: x.findingsClassified, allowEmpty: x.allowEmpty, problems,
  };
}

/**
 * "18 records from 1 input; 18 flows, 18 classified (both ends in the inventory); 13 findings": the
 * three counts of the README's "Words", each with its own word.
 */
export function checkedSummary(c: Checked): string {
  const from = c.inputsUsed === c.inputs ? plural(c.inputs, "input") : `${c.inputsUsed} of ${plural(c.inputs, "input")}`;
  return `${plural(c.records, "record")} from ${from}; ${plural(c.events, "flow")}, ${c.eventsClassified} classified (both ends in the inventory); ${plural(c.findings, "finding")}`;
}

/** The problems that make the run's status 2. */
export function fatalProblems(c: Pick<Checked, "problems">): CheckProblem[] {
  return c.problems.filter((p) => p.fatal);
}

const REASON: Record<CheckProblem["code"], string> = {
  "input-error": "an input could not be read",
  "no-records": "an input had no usable record",
  "no-classified-flows": "an input had no flow with both ends in the inventory",
  "inventory-matches-nothing": "the inventory matches no address read",
  "no-decided-flows": "no flow said whether it was allowed or blocked",
};

/** Why the status is 2, in a few words: "an input could not be read; an input had no usable record". */
export function notCheckedReasons(r: { checked: Pick<Checked, "problems"> }): string {
  return [...new Set(fatalProblems(r.checked).map((p) => REASON[p.code]))].join("; ");
}

/**
 * The fatal problems of a saved report: its own `checked`, or for a v1 report written before `checked`
 * existed, what its inputs say (an error, or no record used).
 */
export function savedReportProblems(r: { checked?: Pick<Checked, "problems">; inputs: readonly Pick<InputReport, "path" | "records" | "error">[] }): CheckProblem[] {
  if (r.checked) return fatalProblems(r.checked);
  const out: CheckProblem[] = [];
  for (const i of r.inputs) {
    if (i.error !== null) out.push({ code: "input-error", input: i.path, fatal: true, message: i.error });
    else if (i.records.used === 0) out.push({ code: "no-records", input: i.path, fatal: true, message: `${i.path}: no record was used; nothing in it was checked` });
  }
  return out;
}
