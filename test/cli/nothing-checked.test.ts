import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { compileSchema } from "../helpers/ajv.js";
import type { Report } from "../../src/report/types.js";

/**
 * A run that checked nothing is not green: the cases of issue 12 as a user meets them, through the
 * commands (check, why, diff, --baseline, --jobs), with the report saying what decided.
 */
const KERN = "fixtures/kcps/kern.log";
const INV = "fixtures/kcps/inventory.yaml";
const check = (args: string[], inv = INV) => runCli(["check", "-r", "kcps-file-server", "-i", inv, ...args]);
const json = (stdout: string) => JSON.parse(stdout) as Report;
const schema = compileSchema(JSON.parse(readFileSync("docs/report.schema.json", "utf8")) as object);

function files() {
  return tmpFiles({
    "empty.log": "",
    "syslog.log": "Nov 23 09:11:01 host sshd[812]: Accepted password for ops from 192.0.2.7 port 52113 ssh2\n".repeat(200_000),
    // The file server alone: every flow has its other end outside the inventory.
    "one-side.yaml": "roles:\n  kcps-fs: [10.99.2.10]\n",
    "elsewhere.yaml": "roles:\n  kcps-fs: [192.0.2.10]\n  file-share-client: [192.0.2.0/26]\n",
    // The lab router's own log with its prefix's action word gone ("pmlab-kcps LOGGED"): every flow is
    // classified and none says whether it got through.
    "one-line.log": readFileSync(KERN, "utf8").split("\n")[0]! + "\n",
    "no-action.log": readFileSync(KERN, "utf8").replace(/pmlab-kcps (ACCEPT|DROP|REJECT) /g, "pmlab-kcps LOGGED "),
  });
}

describe("check: nothing checked is exit 2, and the report says why", () => {
  const dir = files();

  it("an empty file: exit 2, one line naming it; the JSON report carries the problem and validates", async () => {
    const r = await check(["-f", "json", join(dir, "empty.log")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`portmatrix: ${join(dir, "empty.log")}: no record was used (it is empty); nothing in it was checked\n`);
    const rep = json(r.stdout);
    expect(rep.exitCode).toBe(2);
    expect(rep.checked).toMatchObject({ inputs: 1, inputsUsed: 0, records: 0, flows: 0, allowEmpty: false });
    expect(rep.checked.problems).toEqual([{ code: "no-records", input: join(dir, "empty.log"), fatal: true, message: expect.stringContaining("it is empty") }]);
    expect(schema(rep), JSON.stringify(schema.errors)).toBe(true);
  });

  it("empty standard input: exit 2 (the real process)", () => {
    const r = spawnSync("node", ["bin/portmatrix.js", "check", "-r", "kcps-file-server", "-i", INV, "-"], { input: "", encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("portmatrix: -: no record was used (it is empty); nothing in it was checked\n");
    expect(r.stdout).toMatch(/^Checked: 0 records from 0 of 1 input; 0 flows, 0 classified/m);
    expect(r.stdout).toMatch(/^Result: not a complete check \(an input had no usable record\) \(exit 2\)$/m);
  });

  it("200,000 lines all skipped (--input-format netfilter on a syslog): exit 2", async () => {
    const r = await check(["--input-format", "netfilter", join(dir, "syslog.log")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/syslog\.log: no record was used \(all 200000 records read were skipped\); nothing in it was checked\n$/);
  }, 60_000);

  it("a capture read as netfilter: exit 2", async () => {
    const r = await check(["--input-format", "netfilter", "fixtures/lab/captures/customer-side.pcap"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/customer-side\.pcap: no record was used \(all \d+ records read were skipped\)/);
  });

  it("an inventory that matches no address seen: exit 2, even with --allow-empty", async () => {
    for (const extra of [[], ["--allow-empty"]]) {
      const r = await check([...extra, "-f", "json", KERN], join(dir, "elsewhere.yaml"));
      expect(r.code).toBe(2);
      expect(json(r.stdout).checked.problems.filter((p) => p.fatal).map((p) => p.code)).toContain("inventory-matches-nothing");
      expect(r.stderr).toMatch(/not one address of the 18 flow records read is in the inventory/);
    }
  });

  it("only one side of every flow in the inventory: exit 2; --allow-empty accepts it and says so", async () => {
    const r = await check(["-f", "json", KERN], join(dir, "one-side.yaml"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/kern\.log: none of its 18 flow records has both ends in the inventory \(\d+ have only one end there\)/);
    const a = await check(["--allow-empty", KERN], join(dir, "one-side.yaml"));
    expect(a.code).toBe(0);
    expect(a.stderr).toMatch(/\(accepted: --allow-empty\)\n$/);
    expect(a.stdout).toMatch(/^Checked: 18 records from 1 input; \d+ flows, 0 classified/m);
  });

  it("every classified flow inconclusive (no action word in the log): exit 2, not a green run; --allow-empty accepts it", async () => {
    const log = join(dir, "no-action.log");
    const r = await check(["-f", "json", log]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("portmatrix: none of the 18 classified flows says whether it got through (all inconclusive: no action in the records, or too little of each connection seen); nothing was decided against the matrix\n");
    const rep = json(r.stdout);
    expect(rep.summary.inconclusive).toBe(18);
    expect(rep.checked.problems).toEqual([{ code: "no-decided-flows", input: null, fatal: true, message: expect.stringContaining("all inconclusive") }]);
    expect(schema(rep), JSON.stringify(schema.errors)).toBe(true);
    const text = await check([log]);
    expect(text.stdout).toMatch(/^Result: not a complete check \(no flow said whether it was allowed or blocked\) \(exit 2\)$/m);
    const allowed = await check(["--allow-empty", log]);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(/all inconclusive.*\(accepted: --allow-empty\)\n$/);
    // One decided flow beside them is a check: the log's first line with its action word back.
    const mixed = await check([log, join(dir, "one-line.log")]);
    expect(mixed.code).toBe(0);
  });

  it("one of three inputs empty: exit 2, the others still read and their violations reported", async () => {
    const r = await check(["-f", "json", KERN, join(dir, "empty.log"), "fixtures/kcps/kern-rfc3339.log"]);
    expect(r.code).toBe(2);
    const rep = json(r.stdout);
    expect(rep.totals.violations).toBe(5);
    expect(rep.checked).toMatchObject({ inputs: 3, inputsUsed: 2, records: 36 });
    const text = await check([KERN, join(dir, "empty.log"), "fixtures/kcps/kern-rfc3339.log"]);
    expect(text.stdout).toMatch(/^Result: not a complete check \(an input had no usable record\); 5 violations in what was read \(exit 2\)$/m);
    const allowed = await check(["--allow-empty", KERN, join(dir, "empty.log")]);
    expect(allowed.code).toBe(1);
  });

  it("--jobs 2 counts what was checked exactly as one thread does", async () => {
    const args = ["-f", "json", KERN, join(dir, "empty.log"), "fixtures/kcps/kern-rfc3339.log", "fixtures/lab/captures/customer-side.pcap"];
    const one = json((await check(["--jobs", "1", ...args])).stdout);
    const two = json((await check(["--jobs", "2", ...args])).stdout);
    expect(two.checked).toEqual(one.checked);
    expect(two.inputs.map((i) => i.events)).toEqual(one.inputs.map((i) => i.events));
    expect(one.inputs.map((i) => i.events.total)).toEqual([18, 0, 18, 13]);
  });

  it("the Markdown and HTML summaries say how much was checked next to the result", async () => {
    const out = tmpFiles({});
    const r = await check(["-o", join(out, "r.md"), "-o", join(out, "r.html"), KERN, join(dir, "empty.log")]);
    expect(r.code).toBe(2);
    const md = readFileSync(join(out, "r.md"), "utf8");
    expect(md).toMatch(/^Result: \*\*not a complete check\*\* \(an input had no usable record\)/m);
    expect(md).toContain("Checked: 18 records from 1 of 2 inputs; 18 flows, 18 classified (both ends in the inventory); 13 findings.");
    const html = readFileSync(join(out, "r.html"), "utf8");
    expect(html).toContain("<b>Result: not a complete check (an input had no usable record)</b>");
    expect(html).toContain('<p id="checked">Checked: 18 records from 1 of 2 inputs; 18 flows, 18 classified (both ends in the inventory); 13 findings.</p>');
  });
});

describe("probe", () => {
  it("a probe that tried nothing (no peer host in the inventory) is exit 2; --allow-empty accepts it", async () => {
    const dir = tmpFiles({ "inv.yaml": "roles:\n  customer-admin-pc: [127.0.0.1]\n" });
    const args = ["probe", "--as", "customer-admin-pc", "-r", "kcps-file-server", "-i", join(dir, "inv.yaml"), "-f", "json"];
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("portmatrix: probe: nothing was probed (no inventory host of a peer role); nothing was checked\n");
    expect(json(r.stdout).checked.problems.map((p) => p.code)).toEqual(["no-records"]);
    expect((await runCli([...args, "--allow-empty"])).code).toBe(0);
  });
});

describe("why, diff and --baseline", () => {
  const dir = files();
  const base = ["-r", "kcps-file-server", "-i", INV];

  it("why with an unreadable or empty input exits 2 and still explains what it read", async () => {
    writeFileSync(join(dir, "junk.log"), "\u0001\u0002 not a log\n");
    for (const bad of ["junk.log", "empty.log"]) {
      const r = await runCli(["why", "10.99.1.200", ...base, KERN, join(dir, bad)]);
      expect(r.code, bad).toBe(2);
      expect(r.stdout).toMatch(/^Verdict: likely cause: winrm-admin-pc-to-kcps-fs/m);
      expect(r.stdout).toMatch(/^Checked: 18 records from 2 inputs; 18 flows, 18 classified \(both ends in the inventory\); 13 findings$/m);
    }
    const ok = await runCli(["why", "10.99.1.200", ...base, "--allow-empty", KERN, join(dir, "empty.log")]);
    expect(ok.code).toBe(1);
  });

  it("why given a saved report that checked nothing exits 2, naming it", async () => {
    const saved = join(dir, "nothing.json");
    writeFileSync(saved, (await check(["-f", "json", join(dir, "empty.log")])).stdout);
    const r = await runCli(["why", "10.99.1.200", ...base, saved]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^portmatrix: ${saved}: that run was not a complete check: .*empty\\.log: no record was used`));
  });

  it("diff refuses a new report that checked nothing; an old one is only said to be incomplete", async () => {
    const good = join(dir, "good.json");
    const nothing = join(dir, "nothing2.json");
    writeFileSync(good, (await check(["-f", "json", KERN])).stdout);
    writeFileSync(nothing, (await check(["-f", "json", join(dir, "empty.log")])).stdout);
    const asNew = await runCli(["diff", good, nothing]);
    expect(asNew.code).toBe(2);
    expect(asNew.stderr).toMatch(/nothing2\.json: that run was not a complete check/);
    const asOld = await runCli(["diff", nothing, good]);
    expect(asOld.code).toBe(1); // every violation is new
    expect(asOld.stderr).toMatch(/nothing2\.json: that run was not a complete check: .*; flows it lacks show as new\n$/);
  });

  it("--baseline from a run that checked nothing is said; its missing flows count as new", async () => {
    const nothing = join(dir, "nothing3.json");
    writeFileSync(nothing, (await check(["-f", "json", join(dir, "empty.log")])).stdout);
    const r = await check(["--baseline", nothing, "-f", "json", KERN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the baseline run was not a complete check/);
    expect(json(r.stdout).baseline).toMatchObject({ new: 13, unchanged: 0 });
  });
});
