import { describe, it, expect } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { parseReport } from "../helpers/report.js";

/**
 * Exit 1 means "at least one violation", so the edge that matters is exactly one: an off-by-one there
 * turns a single broken port into a green gate. Each way a violation is counted is held to it:
 * a finding, an unobserved required rule, a finding new against a baseline, and `diff`.
 */
const INV = "fixtures/kcps/inventory.yaml";
const base = ["check", "-r", "kcps-file-server", "-i", INV];
const line = (action: string, src: string, dpt: number, t = "09:11:01") =>
  `Nov 23 ${t} fw kernel: pmlab ${action} IN=a OUT=b SRC=${src} DST=10.99.2.10 LEN=60 PROTO=TCP SPT=50000 DPT=${dpt} WINDOW=1 SYN URGP=0`;
/** Allowed SMB from a file-share client: required and allowed, no violation. */
const SMB_OK = line("ACCEPT", "10.99.1.100", 445);

describe("exactly one violation exits 1", () => {
  it("one blocked required flow, among flows that are fine", async () => {
    const dir = tmpFiles({ "x.log": [SMB_OK, line("DROP", "10.99.1.101", 445)].join("\n") + "\n" });
    const r = await runCli([...base, "--format", "json", join(dir, "x.log")]);
    expect(r.code, r.stderr).toBe(1);
    expect(parseReport(r.stdout).totals.violations).toBe(1);
    const text = await runCli([...base, join(dir, "x.log")]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/Result: 1 violation/);
  });

  it("none exits 0 on the same traffic without the blocked flow", async () => {
    const dir = tmpFiles({ "x.log": SMB_OK + "\n" });
    const r = await runCli([...base, "--format", "json", join(dir, "x.log")]);
    expect(r.code, r.stderr).toBe(0);
    expect(parseReport(r.stdout).totals.violations).toBe(0);
  });

  it("one unexpected allowed flow when --fail-on counts only those", async () => {
    const dir = tmpFiles({ "x.log": [SMB_OK, line("DROP", "10.99.1.101", 445), line("ACCEPT", "10.99.1.100", 8080)].join("\n") + "\n" });
    const r = await runCli([...base, "--fail-on", "allowed-unexpected", "--format", "json", join(dir, "x.log")]);
    expect(r.code, r.stderr).toBe(1);
    expect(parseReport(r.stdout).totals.violations).toBe(1);
  });

  it("one required rule with hosts on both sides and no traffic, under --fail-on unobserved-required", async () => {
    const dir = tmpFiles({
      "r.yaml": `id: one
title: One
version: 1
provenance: {document: test}
roles:
  - {id: client, title: C}
  - {id: server, title: S}
scenarios:
  - {id: all, title: All}
services:
  - {id: smb, title: SMB, ports: [{tcp: 445}]}
  - {id: rdp, title: RDP, ports: [{tcp: 3389}]}
rules:
  - {id: smb, from: client, to: server, services: [smb], scenarios: [all], requirement: required, purpose: p, source: s}
  - {id: rdp, from: client, to: server, services: [rdp], scenarios: [all], requirement: required, purpose: p, source: s}
`,
      "i.yaml": "roles:\n  client: [10.99.1.100]\n  server: [10.99.2.10]\n",
      "x.log": SMB_OK + "\n",
    });
    const r = await runCli(["check", "-r", join(dir, "r.yaml"), "-i", join(dir, "i.yaml"), "--fail-on", "unobserved-required", "--format", "json", join(dir, "x.log")]);
    expect(r.code, r.stderr).toBe(1);
    const rep = parseReport(r.stdout);
    expect(rep.coverage.filter((c) => c.status === "unobserved").map((c) => c.rule)).toEqual(["rdp"]);
    expect(rep.totals.violations).toBe(1);
  });

  it("one finding new against a baseline, and diff between the two reports", async () => {
    const dir = tmpFiles({
      "before.log": [SMB_OK, line("DROP", "10.99.1.101", 445)].join("\n") + "\n",
      "after.log": [SMB_OK, line("DROP", "10.99.1.101", 445), line("DROP", "10.99.1.102", 445)].join("\n") + "\n",
    });
    const old = join(dir, "old.json");
    expect((await runCli([...base, "-o", old, join(dir, "before.log")])).code).toBe(1);
    const same = await runCli([...base, "--baseline", old, "--format", "json", join(dir, "before.log")]);
    expect(same.code, same.stderr).toBe(0);
    const next = await runCli([...base, "--baseline", old, "--format", "json", join(dir, "after.log")]);
    expect(next.code, next.stderr).toBe(1);
    const rep = parseReport(next.stdout);
    expect(rep.baseline).toMatchObject({ new: 1, changed: 0 });
    expect(rep.totals.violations).toBe(1);
    const now = join(dir, "new.json");
    writeFileSync(now, next.stdout);
    const d = await runCli(["diff", old, now]);
    expect(d.code, d.stdout + d.stderr).toBe(1);
    expect(d.stdout).toMatch(/New findings: 1\n/);
    expect((await runCli(["diff", old, old])).code).toBe(0);
  });
});
