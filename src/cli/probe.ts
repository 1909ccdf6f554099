import { Command, Option } from "commander";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { ExitCode, collect, collectRaw, parseSets, sarifPlaces, say, sayInventoryWarnings, sayProblems, useColor, type Io } from "./common.js";
import { checkOutputs, planReports, writeReport } from "./output.js";
import { parseFailOn, setupCheck } from "../pipeline/check.js";
import { preloadConfig } from "../source/config.js";
// The probe machinery (sockets, protocol requests) is loaded when `probe` runs, not at every start-up.
import type { UdpProtocol } from "../probe/requests/index.js";
import { REPORT_FORMATS, formatFromPath, type ReportFormat } from "../report/formats.js";
import { UsageError } from "../errors.js";

interface ProbeFlags {
  as: string;
  ruleset: string;
  inventory: string;
  scenario?: string[];
  set?: string[];
  documentedOnly?: boolean;
  timeout: string;
  concurrency: string;
  maxTime: string;
  maxRange: string;
  udpRequest?: string[];
  format?: string;
  output?: string[];
  failOn?: string[];
  quiet?: boolean;
  allowEmpty?: boolean;
  sarifRoot?: string;
}

function positiveInt(flag: string, v: string, max: number): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || Number(v) > max) throw new UsageError(`${flag} ${v}: expected a whole number from 1 to ${max}`);
  return Number(v);
}

/** The system's ping: PORTMATRIX_PING (a path, or "none"), else the first `ping` on PATH or in the usual places. */
export function findPing(env: NodeJS.ProcessEnv): string | null {
  const forced = env.PORTMATRIX_PING;
  if (forced !== undefined && forced !== "") return forced === "none" ? null : forced;
  const dirs = [...(env.PATH ?? process.env.PATH ?? "").split(delimiter), "/usr/bin", "/bin", "/usr/sbin", "/sbin"];
  for (const d of dirs) {
    if (!d) continue;
    try {
      accessSync(join(d, "ping"), constants.X_OK);
      return join(d, "ping");
    } catch { /* not here */ }
  }
  return null;
}

async function parseUdpRequests(list: readonly string[]): Promise<Map<number, UdpProtocol | "none">> {
  const { UDP_PROTOCOLS, isUdpProtocol } = await import("../probe/requests/index.js");
  const out = new Map<number, UdpProtocol | "none">();
  const known = [...Object.keys(UDP_PROTOCOLS), "none"].join(", ");
  for (const item of list) {
    const m = /^(\d{1,5})=([a-z]+)$/.exec(item.trim());
    const port = m ? Number(m[1]) : 0;
    const proto = m?.[2] ?? "";
    if (!m || port < 1 || port > 65535 || !(proto === "none" || isUdpProtocol(proto))) {
      throw new UsageError(`--udp-request ${item}: expected PORT=PROTOCOL with PROTOCOL one of ${known} (for example 5353=dns)`);
    }
    out.set(port, proto as UdpProtocol | "none");
  }
  return out;
}

export function registerProbe(program: Command, io: Io): void {
  program
    .command("probe")
    .description("act as a role from this machine: try every port the matrix gives it (TCP connect, UDP protocol requests, ICMP echo) and report like check")
    .requiredOption("--as <role>", "the role this machine plays, e.g. file-share-client")
    .requiredOption("-r, --ruleset <id|file>", "shipped ruleset id (see `rules list`) or a YAML file")
    .requiredOption("-i, --inventory <file>", "inventory: the hosts to probe (only these addresses are ever contacted)")
    .option("-s, --scenario <ids>", "only rules of these scenarios (repeat or comma-separate; default all)", collect)
    .option("--set <name=value>", "override a ruleset variable, e.g. --set https_port=8443 (repeatable)", collectRaw)
    .option("--documented-only", "probe only the flows the document states (no rule marked inferred)")
    .option("--timeout <ms>", "how long one attempt waits for an answer", "1000")
    .option("--concurrency <n>", "attempts in flight at once", "32")
    .option("--max-time <seconds>", "bound on the whole run; unfinished attempts are reported inconclusive", "60")
    .option("--max-range <ports>", "port ranges wider than this are listed as not probed instead of swept", "16")
    .option("--udp-request <port=protocol>", "ask this UDP port with a protocol's request: dns, kerberos, ntp, nbns, cldap, or none for an empty datagram, e.g. 5353=dns (repeatable, comma-separated)", collect)
    .addOption(new Option("-f, --format <format>", "report format on stdout (or for a single --output)").choices([...REPORT_FORMATS]))
    .option("-o, --output <file>", "write the report to a file, format from its extension (.json .html .md .csv .xml .sarif .txt); repeatable", collectRaw)
    .option("--sarif-root <dir>", "SARIF paths are relative to this directory (%SRCROOT%; default: the git work tree holding the working directory)")
    .option("--fail-on <verdicts>", "verdicts that make the exit status 1 (default blocked-required,allowed-unexpected; 'none')", collect)
    .option("--allow-empty", "accept a probe that tried nothing (no peer host in the inventory); without it the exit status is 2")
    .option("-q, --quiet", "no notes, progress or (with --output) Result line on stderr")
    .addHelpText("after", `
What each attempt reports (the evidence in the report):
  tcp   connected: allowed; RST: blocked (refused); no answer in --timeout: blocked (filtered);
        EHOSTUNREACH / ENETUNREACH / EACCES (an ICMP error, e.g. admin-prohibited): blocked
  udp   a real request on 53 (DNS), 88 (Kerberos AS-REQ), 123 (NTP), 137 (NetBIOS node status),
        389 (CLDAP LDAP ping), or as --udp-request says: an answer is allowed, silence blocked;
        ICMP port unreachable: blocked; other ports get an empty datagram, and silence there is
        inconclusive ("listening or filtered", as PortQry says)
  icmp  echo through the system's ping (PORTMATRIX_PING=path or none); without it, inconclusive
CIDR prefixes in the inventory and port ranges wider than --max-range are listed as not probed.

Examples:
  portmatrix probe --as file-share-client -r kcps-file-server -i inventory.yaml
  portmatrix probe --as kcps-fs-ad -r kcps-file-server -i inv.yaml --scenario trust --format json > probe.json
  portmatrix probe --as customer-admin-pc -r kcps-file-server -i inv.yaml --timeout 2000 -o probe.html -o probe.json
  portmatrix why 10.99.1.100 -r kcps-file-server -i inv.yaml probe.json

Exit status: 0 no violation, 1 violations (see --fail-on), 2 usage error or nothing probed.`)
    .action(async (f: ProbeFlags) => {
      const timeoutMs = positiveInt("--timeout", f.timeout, 600_000);
      const concurrency = positiveInt("--concurrency", f.concurrency, 4096);
      const maxTimeMs = positiveInt("--max-time", f.maxTime, 86_400) * 1000;
      const maxRange = positiveInt("--max-range", f.maxRange, 65536);
      const udpRequests = await parseUdpRequests(f.udpRequest ?? []);
      const outputs = (f.output ?? []).map((path) => {
        const fmt = (f.output!.length === 1 && f.format !== undefined ? f.format : formatFromPath(path)) as ReportFormat | undefined;
        if (!fmt) throw new UsageError(`--output ${path}: cannot tell the format from the name; use .json .html .md .csv .xml .sarif or .txt (or --format with one --output)`);
        return { path, fmt };
      });
      await preloadConfig([[f.ruleset, "ruleset"], [f.inventory, "inventory"]]);
      const setup = setupCheck(f.ruleset, f.inventory, f.scenario ?? [], parseSets(f.set ?? []), { documentedOnly: f.documentedOnly === true });
      checkOutputs(outputs.map((o) => o.path), [{ path: f.inventory, what: "the inventory" }, { path: setup.ruleset.file, what: "the ruleset" }]);
      sayInventoryWarnings(io, setup.inventory);
      const failOn = parseFailOn(f.failOn);
      const status = io.stderrIsTTY && !f.quiet ? io.status : undefined;
      const { runProbe } = await import("../probe/run.js");
      const result = await runProbe(setup, {
        role: f.as,
        timeoutMs,
        concurrency,
        maxTimeMs,
        maxRange,
        udpRequests,
        failOn,
        ping: findPing(io.env),
        allowEmpty: f.allowEmpty === true,
        onAttempt: status ? (done, total) => status(`\rportmatrix probe: ${done}/${total} attempts`) : () => undefined,
      });
      if (status && result.plan.targets.length > 0) status("\n");
      if (!f.quiet) for (const n of result.notes) say(io, `probe: ${n}`);
      const report = result.report;
      if (!f.quiet || report.exitCode === 2) sayProblems(io, report);
      // Every attempt's outcome is the point of a probe: the text report lists all verdict groups.
      const { render } = await import("../report/render.js");
      planReports(outputs.map((o) => o.path));
      const sarif = sarifPlaces(f.sarifRoot);
      for (const o of outputs) await writeReport(o.path, render(report, o.fmt, { all: true, sarif }));
      if (outputs.length === 0 || f.format !== undefined && outputs.length > 1) {
        const fmt = (f.format ?? "text") as ReportFormat;
        io.stdout(render(report, fmt, { color: fmt === "text" && useColor(io, io.stdoutIsTTY), all: true, sarif }));
      } else if (!f.quiet) {
        const { resultLine } = await import("../report/text.js");
        io.stderr(`${resultLine(report)}\n`);
      }
      throw new ExitCode(report.exitCode);
    });
}
