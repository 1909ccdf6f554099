import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { parseReport } from "../helpers/report.js";
import type { CoverageEntry } from "../../src/report/types.js";

/**
 * Two readings of one document statement (`alternative_of`): traffic of either is checked, and
 * coverage asks for one of them. Seed 004 table 2 is the real case: its client column names the
 * KCPS file server (trust-fs-*), and the trust is kept by the provider's domain controller (trust-*).
 */
const INV = "fixtures/kcps/inventory.yaml";

/** A netfilter line as the lab's router logs it: FROM -> TO on TCP PORT, with the given action word. */
function line(from: string, to: string, port: number, action: "ACCEPT" | "DROP"): string {
  return `Nov 23 09:14:26 pmlab-fw kernel: [ 7451.106524] pmlab-kcps ${action} IN=rtr-prov OUT=rtr-cust MAC=02:99:02:00:00:01:02:99:02:00:00:02:08:00 SRC=${from} DST=${to} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=50123 DPT=${port} WINDOW=64240 RES=0x00 SYN URGP=0 \n`;
}

async function coverage(log: string, args: string[] = []): Promise<Map<string, CoverageEntry>> {
  const dir = tmpFiles({ "fw.log": log });
  const r = await runCli(["check", "-r", "kcps-file-server", "-i", INV, "--format", "json", "--fail-on", "none", "--allow-empty", ...args, join(dir, "fw.log")]);
  expect(r.code, r.stderr).toBe(0);
  return new Map(parseReport(r.stdout).coverage.map((c) => [c.rule, c]));
}

describe("coverage of a statement read two ways (alternative_of)", () => {
  it("with no trust traffic, the counted reading is unobserved-required and the other reading is not asked for", async () => {
    const cov = await coverage(line("10.99.1.100", "10.99.2.10", 445, "ACCEPT"));
    expect(cov.get("trust-fs-kerberos")?.status).toBe("unobserved");
    expect(cov.get("trust-fs-kerberos")?.alternatives).toEqual(["trust-kerberos"]);
    expect(cov.get("trust-kerberos")?.status).toBe("not-observed");
    expect(cov.get("trust-kerberos")?.alternatives).toEqual(["trust-fs-kerberos"]);
  });

  it("traffic of the domain-controller reading covers the statement: neither reading is unobserved", async () => {
    // LDAP from the provider's DC to the customer AD is in table 2 only (table 1 has its own Kerberos row).
    const cov = await coverage(line("10.99.2.20", "10.99.1.10", 389, "ACCEPT"));
    expect(cov.get("trust-ldap")?.status).toBe("allowed");
    expect(cov.get("trust-fs-ldap")?.status).toBe("not-observed");
    // Another row of the table, not seen from either host, is still asked for once.
    expect(cov.get("trust-fs-ldaps")?.status).toBe("unobserved");
    expect(cov.get("trust-ldaps")?.status).toBe("not-observed");
  });

  it("a blocked attempt of either reading is still a blocked-required finding", async () => {
    const dir = tmpFiles({ "fw.log": line("10.99.2.20", "10.99.1.10", 636, "DROP") + line("10.99.2.10", "10.99.1.10", 389, "DROP") });
    const r = await runCli(["check", "-r", "kcps-file-server", "-i", INV, "--format", "json", "--allow-empty", join(dir, "fw.log")]);
    const rep = parseReport(r.stdout);
    expect(rep.findings.filter((f) => f.verdict === "blocked-required").map((f) => f.rule).sort()).toEqual(["trust-fs-ldap", "trust-ldaps"]);
    expect(r.code).toBe(1);
  });

  it("the summary counts an unobserved statement once, and says how many other readings were not asked for", async () => {
    const dir = tmpFiles({ "fw.log": line("10.99.1.100", "10.99.2.10", 445, "ACCEPT") });
    const r = await runCli(["check", "-r", "kcps-file-server", "-i", INV, "--fail-on", "none", "--allow-empty", join(dir, "fw.log")]);
    expect(r.stdout).toMatch(/; 11 other readings of the same statements not asked for/);
    const unobserved = /(\d+) unobserved-required/.exec(r.stdout);
    const cov = await coverage(line("10.99.1.100", "10.99.2.10", 445, "ACCEPT"));
    expect(Number(unobserved?.[1])).toBe([...cov.values()].filter((c) => c.status === "unobserved").length);
    expect([...cov.values()].filter((c) => c.status === "unobserved" && c.rule.startsWith("trust-") && !c.rule.startsWith("trust-fs-"))).toEqual([]);
  });
});

describe("alternative_of is checked when the ruleset loads", () => {
  const base = (alt: string, extra = "") => `id: tiny
title: Tiny
version: 1
provenance: {document: test}
roles:
  - {id: a, title: A}
  - {id: b, title: B}
  - {id: c, title: C}
scenarios:
  - {id: run, title: Run}
services:
  - {id: web, title: Web, ports: [{tcp: 443}]}
rules:
  - {id: r1, from: a, to: c, services: [web], scenarios: [run], requirement: required, purpose: p, source: s}
  - {id: r2, from: b, to: c, services: [web], scenarios: [run], requirement: required, purpose: p, source: s, alternative_of: ${alt}}
${extra}`;
  it.each([
    ["an unknown rule", base("nope"), /unknown rule "nope" in alternative_of/],
    ["the rule itself", base("r2"), /cannot be an alternative of itself/],
    ["an alternative of an alternative", base("r1", "  - {id: r3, from: a, to: b, services: [web], scenarios: [run], requirement: required, purpose: p, source: s, alternative_of: r2}\n"), /itself an alternative of "r1"/],
  ])("refuses %s with a positioned error", async (_name, yaml, message) => {
    const dir = tmpFiles({ "rs.yaml": yaml });
    const r = await runCli(["rules", "lint", join(dir, "rs.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/rs\.yaml:\d+:\d+/);
  });
});
