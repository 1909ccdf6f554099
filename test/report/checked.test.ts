import { describe, it, expect } from "vitest";
import { assessChecked, checkedSummary, savedReportProblems } from "../../src/report/checked.js";
import type { InputReport } from "../../src/report/types.js";

/** The rules of "was anything checked", one case per row (src/report/checked.ts). */
type In = Pick<InputReport, "path" | "format" | "records" | "error" | "events">;
const input = (path: string, used: number, events: [number, number, number], o: { read?: number; error?: string; format?: string } = {}): In => ({
  path, format: o.format ?? "netfilter", error: o.error ?? null,
  records: { read: o.read ?? used, used, skipped: (o.read ?? used) - used },
  events: { total: events[0], classified: events[1], oneEnd: events[2] },
});
/** Every classified flow decided (allowed or blocked), unless a case says how many were inconclusive. */
const flowsOf = (inputs: In[], inconclusive = 0) => {
  const classified = inputs.reduce((a, i) => a + i.events.classified, 0);
  return { flowsClassified: classified, flowsInconclusive: inconclusive };
};
const codes = (inputs: In[], allowEmpty = false) =>
  assessChecked({ inputs, findings: 0, findingsClassified: 0, ...flowsOf(inputs), allowEmpty }).problems.map((p) => `${p.code}${p.input ? `@${p.input}` : ""}${p.fatal ? "" : " (accepted)"}`);

describe("was anything checked", () => {
  it.each<[string, In[], boolean, string[]]>([
    ["a log whose flows are classified", [input("a", 18, [18, 18, 0])], false, []],
    ["an empty input", [input("a", 0, [0, 0, 0])], false, ["no-records@a"]],
    ["an empty input, --allow-empty", [input("a", 0, [0, 0, 0])], true, ["no-records@a (accepted)"]],
    ["200,000 lines read, every one skipped", [input("a", 0, [0, 0, 0], { read: 200_000 })], false, ["no-records@a"]],
    ["one of three inputs empty", [input("a", 18, [18, 18, 0]), input("b", 0, [0, 0, 0]), input("c", 5, [5, 5, 0])], false, ["no-records@b"]],
    ["an input of which only one side is known", [input("a", 18, [18, 0, 15])], false, ["no-classified-flows@a"]],
    ["only one side known, --allow-empty", [input("a", 18, [18, 0, 15])], true, ["no-classified-flows@a (accepted)"]],
    ["an inventory that matches no address", [input("a", 18, [18, 0, 0])], false, ["no-classified-flows@a", "inventory-matches-nothing"]],
    ["an inventory that matches no address, --allow-empty", [input("a", 18, [18, 0, 0])], true, ["no-classified-flows@a (accepted)", "inventory-matches-nothing"]],
    ["one input of another network beside a classified one", [input("a", 18, [18, 18, 0]), input("b", 7, [7, 0, 0])], false, ["no-classified-flows@b"]],
    ["records used that gave no flow", [input("a", 3, [0, 0, 0])], false, ["no-classified-flows@a"]],
    ["an input that could not be read", [input("a", 0, [0, 0, 0], { error: "a: not a known format" })], true, ["input-error@a"]],
    ["a probe that tried nothing", [input("probe", 0, [0, 0, 0], { format: "probe" })], false, ["no-records@probe"]],
    ["every input empty, --allow-empty", [input("a", 0, [0, 0, 0]), input("b", 0, [0, 0, 0])], true, ["no-records@a (accepted)", "no-records@b (accepted)"]],
  ])("%s", (_what, inputs, allowEmpty, expected) => {
    expect(codes(inputs, allowEmpty)).toEqual(expected);
  });

  // Classified flows of which none says whether it got through: a log prefix with no action word, nfdump
  // records without a forwarding status, a capture that saw only the start of each connection.
  it.each<[string, number, boolean, string[]]>([
    ["every classified flow decided", 0, false, []],
    ["some classified flows inconclusive", 17, false, []],
    ["every classified flow inconclusive", 18, false, ["no-decided-flows"]],
    ["every classified flow inconclusive, --allow-empty", 18, true, ["no-decided-flows (accepted)"]],
  ])("%s", (_what, inconclusive, allowEmpty, expected) => {
    const inputs = [input("a", 20, [20, 18, 2])];
    const c = assessChecked({ inputs, findings: 5, findingsClassified: 4, ...flowsOf(inputs, inconclusive), allowEmpty });
    expect(c.problems.map((p) => `${p.code}${p.fatal ? "" : " (accepted)"}`)).toEqual(expected);
  });

  it("says plainly how much was checked", () => {
    const c = assessChecked({ inputs: [input("a", 18, [18, 18, 0]), input("b", 0, [0, 0, 0])], findings: 14, findingsClassified: 13, flowsClassified: 18, flowsInconclusive: 0, allowEmpty: true });
    // Records read from the inputs, the flows they held, the findings those flows make: three words, three counts.
    expect(checkedSummary(c)).toBe("18 records from 1 of 2 inputs; 18 flows, 18 classified (both ends in the inventory); 14 findings");
    expect(c).toMatchObject({ inputs: 2, inputsUsed: 1, records: 18, events: 18, eventsClassified: 18, findings: 14, findingsClassified: 13, flows: 14, flowsClassified: 13 });
  });

  it("names the input, what was found and what was not checked", () => {
    const [p] = assessChecked({ inputs: [input("x.log", 0, [0, 0, 0], { read: 200_000 })], findings: 0, findingsClassified: 0, flowsClassified: 0, flowsInconclusive: 0, allowEmpty: false }).problems;
    expect(p!.message).toBe("x.log: no record was used (all 200000 records read were skipped); nothing in it was checked");
  });

  it("reads the problems of a saved report, also of one written before `checked` existed", () => {
    const old = { inputs: [input("a", 18, [0, 0, 0]), input("b", 0, [0, 0, 0]), input("c", 0, [0, 0, 0], { error: "c: gone" })] };
    expect(savedReportProblems(old).map((p) => `${p.code}@${p.input}`)).toEqual(["no-records@b", "input-error@c"]);
    const checked = assessChecked({ inputs: [input("a", 18, [18, 0, 3])], findings: 1, findingsClassified: 0, flowsClassified: 0, flowsInconclusive: 0, allowEmpty: true });
    expect(savedReportProblems({ checked, inputs: [] })).toEqual([]); // accepted by --allow-empty when it ran
  });
});
