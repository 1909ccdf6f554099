import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { parseReport } from "../helpers/report.js";

/**
 * The skip accounting a report shows: every record read is used or skipped with a reason, and the
 * first few skipped records are kept as samples, each cut short, so a log of long junk lines cannot
 * blow up the report.
 */
const base = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json"];
const FLOW = "Nov 23 09:11:01 fw kernel: pmlab ACCEPT IN=a OUT=b SRC=10.99.1.100 DST=10.99.2.10 LEN=60 PROTO=TCP SPT=50000 DPT=445 WINDOW=1 SYN URGP=0";

describe("skip accounting in the report", () => {
  it("keeps the first five skipped records as samples, each cut to 200 characters, and counts them all", async () => {
    const junk = (i: number) => `Nov 23 09:11:0${i} fw kernel: ${String(i).repeat(300)}`;
    const dir = tmpFiles({ "x.log": [FLOW, ...[1, 2, 3, 4, 5, 6, 7].map(junk), FLOW].join("\n") + "\n" });
    const r = await runCli([...base, join(dir, "x.log")]);
    const rep = parseReport(r.stdout);
    const i = rep.inputs[0]!;
    expect(i.records).toEqual({ read: 9, used: 2, skipped: 7 });
    expect(Object.values(i.skippedByReason).reduce((a, b) => a + b, 0)).toBe(7);
    expect(i.skippedSamples.map((s) => s.line)).toEqual([2, 3, 4, 5, 6]);
    for (const s of i.skippedSamples) {
      expect(s.text!.length).toBe(200);
      expect(junk(s.line! - 1).startsWith(s.text!)).toBe(true);
    }
  });
});
