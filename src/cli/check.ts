import { Command, Option } from "commander";
import { preloadConfig, readConfigText } from "../source/config.js";
import { addPathFilterOptions, inputPaths, checkInputFormat, collect, collectRaw, decodeOptionsFrom, inputFormatHelp, parseSets, sarifPlaces, say, sayInventoryWarnings, type Io } from "./common.js";
import { checkOutputs, type ReadFile } from "./output.js";
import { emitReport } from "./report-output.js";
import { collectCheck, parseFailOn, prepareFromTable, setupCheck, setupIdentity, type CheckOptions } from "../pipeline/check.js";
import { requireComparable } from "../report/identity.js";
import { checkPartialFlags, engineCheckOptions, runCheckEngine, writePartial, type EngineCheckFlags } from "./engine-check.js";
import { REPORT_FORMATS, formatFromPath, type ReportFormat } from "../report/formats.js";
import { reportShapeError } from "../report/validate.js";
import { REPORT_SCHEMA, type Report } from "../report/types.js";
import { InputError, UsageError } from "../errors.js";
import { Progress } from "./progress.js";

interface CheckFlags extends EngineCheckFlags {
  ruleset: string;
  inventory: string;
  scenario?: string[];
  set?: string[];
  format?: string;
  output?: string[];
  failOn?: string[];
  inputFormat?: string;
  actionMap?: string[];
  year?: string;
  csvColumns?: string[];
  netflowPort?: string[];
  all?: boolean;
  allowEmpty?: boolean;
  documentedOnly?: boolean;
  baseline?: string;
  allowMismatch?: boolean;
  sarifRoot?: string;
  quiet?: boolean;
  jobs?: string;
  include?: string[];
  exclude?: string[];
}

/** Read a previous JSON report (for --baseline and `diff`), with a clear error when it is not one. */
export function readReport(path: string): Report {
  const text = readConfigText(path, "report");
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not JSON (${(e as Error).message}); expected a report written by --format json`, { file: path });
  }
  if (r === null || typeof r !== "object" || (r as { schema?: unknown }).schema !== REPORT_SCHEMA) {
    throw new InputError(`not a portmatrix report (expected "schema": "${REPORT_SCHEMA}")`, { file: path });
  }
  const wrong = reportShapeError(r);
  if (wrong !== undefined) throw new InputError(`not a usable portmatrix report: ${wrong}`, { file: path });
  return r as Report;
}

export function registerCheck(program: Command, io: Io): void {
  const cmd = program
    .command("check")
    .description("read logs or captures and check every flow against the ruleset")
    .argument("<inputs...>", "files, directories (recursive), FIFOs, - for stdin; gzip, zstd, xz, bzip2 and UTF-16 are read transparently")
    .requiredOption("-r, --ruleset <id|file>", "shipped ruleset id (see `rules list`) or a YAML file")
    .requiredOption("-i, --inventory <file>", "inventory: YAML (roles: {role: [address/CIDR...]}) or CSV (address,role[,name])")
    .option("-s, --scenario <ids>", "only rules of these scenarios (repeat or comma-separate; default all)", collect)
    .option("--set <name=value>", "override a ruleset variable, e.g. --set https_port=8443 (repeatable)", collectRaw)
    .option("--documented-only", "only the rules the document states: leave out rules marked inferred (the ruleset's reading of lost diagrams, loose wording)")
    .addOption(new Option("-f, --format <format>", "report format on stdout (or for a single --output)").choices([...REPORT_FORMATS]))
    .option("-o, --output <file>", "write the report to a file, format from its extension (.json .html .md .csv .xml .sarif .txt); repeatable; written whole, then renamed into place", collectRaw)
    .option("--fail-on <verdicts>", "verdicts that make the exit status 1 (default blocked-required,allowed-unexpected; 'none')", collect)
    .option("--baseline <report.json>", "a previous JSON report: fail only on findings that are new or changed verdict")
    .option("--allow-mismatch", "compare with a --baseline made with another ruleset or inventory (refused without it; warned with it)")
    .option("--sarif-root <dir>", "SARIF paths are relative to this directory (%SRCROOT%; default: the git work tree holding the working directory)")
    .option("--input-format <format>", inputFormatHelp())
    .option("--action-map <prefix=action>", "map your own log prefixes to allowed/blocked, e.g. FW-IN-X=blocked (repeatable)", collectRaw)
    .option("--year <yyyy>", "year for syslog timestamps that carry none (default: this year)")
    .option("--csv-columns <field=column>", "CSV column names: src, dst, sport, dport, proto, action, time (repeatable)", collectRaw)
    .option("--allow-empty", "accept inputs that contribute nothing (no record used, or no flow with both ends in the inventory); without it they make the exit status 2")
    .option("--netflow-port <port>", "captures: also read UDP datagrams to this port as NetFlow/IPFIX exports (besides 2055, 4739, 9995; repeatable)", collectRaw)
    .option("--all", "list every verdict group and every unobserved rule in the text report")
    .option("-q, --quiet", "nothing on stderr but errors and warnings: no progress line, and with --output no Result line")
    .option("-j, --jobs <n>", "worker threads for several inputs (default: the number of cores, when the inputs total 64 MB or more; 1: none)");
  addPathFilterOptions(cmd)
    .addHelpText("after", `
Exit status: 0 no violation, 1 violations (see --fail-on), 2 a usage error, a report that could not be
written, or a run that was not a complete check: an input that could not be read, an input of which no
record was used or none of whose flows has both ends in the inventory (accepted with --allow-empty), an
inventory that matches no address read; or a --baseline made with another ruleset or inventory (see
--allow-mismatch).

Examples:
  portmatrix check --ruleset kcps-file-server --inventory fixtures/kcps/inventory.yaml fixtures/kcps/kern.log
  portmatrix check -r kcps-file-server -i inv.yaml --format json archive/ > report.json
  portmatrix check -r kcps-file-server -i inv.yaml -o report.html -o report.json -o results.sarif capture.pcapng
  portmatrix check -r kcps-file-server -i inv.yaml --baseline last-week.json archive/
  portmatrix check -r kcps-file-server -i inv.yaml --exclude '*.md' --exclude 'old/**' /var/log/firewall/
  portmatrix check -r skydiv-desktop-client -i inv.csv --scenario sbc --set https_port=8443 deny.log.gz
  portmatrix check -r skydiv-desktop-client -i inv.csv --documented-only deny.log.gz`)
    .action(async (inputs: string[], f: CheckFlags) => {
      const decode = decodeOptionsFrom(f);
      // A wrong --sarif-root is said before anything is read, not after the run.
      if (f.sarifRoot !== undefined) sarifPlaces(f.sarifRoot);
      checkPartialFlags(f);
      const inputFormat = checkInputFormat(f.inputFormat);
      const outputs = (f.output ?? []).map((path) => {
        const fmt = (f.output!.length === 1 && f.format !== undefined ? f.format : formatFromPath(path)) as ReportFormat | undefined;
        if (!fmt) throw new UsageError(`--output ${path}: cannot tell the format from the name; use .json .html .md .csv .xml .sarif or .txt (or --format with one --output)`);
        return { path, fmt };
      });
      await preloadConfig([[f.ruleset, "ruleset"], [f.inventory, "inventory"], [f.baseline, "report"]]);
      const setup = setupCheck(f.ruleset, f.inventory, f.scenario ?? [], parseSets(f.set ?? []), { documentedOnly: f.documentedOnly === true });
      sayInventoryWarnings(io, setup.inventory);
      const failOn = parseFailOn(f.failOn);
      const baseline = f.baseline !== undefined ? readReport(f.baseline) : undefined;
      // Before anything is read: a baseline made against another matrix would mark the wrong findings unchanged.
      if (baseline) for (const w of requireComparable(baseline, `--baseline ${f.baseline!}`, setupIdentity(setup), "this run", f.allowMismatch === true)) say(io, w);
      // An engine reads its own inputs (globs, directories, table:NAME); the native path expands directories.
      if (f.engine !== undefined && ((f.include?.length ?? 0) + (f.exclude?.length ?? 0)) > 0) {
        throw new UsageError("--include and --exclude filter the files portmatrix reads itself; with --engine, name the files or globs the engine should read");
      }
      const paths = f.engine !== undefined ? inputs : inputPaths(inputs, f);
      if (paths.length === 0) throw new UsageError("no input files found in the given paths");
      // Before anything is read: no report may overwrite a file this run reads.
      const reads: ReadFile[] = [
        ...paths.map((path) => ({ path, what: "an input" })),
        { path: f.inventory, what: "the inventory" },
        { path: setup.ruleset.file, what: "the ruleset" },
        ...(f.baseline !== undefined ? [{ path: f.baseline, what: "the baseline" }] : []),
      ];
      checkOutputs(outputs.map((o) => o.path), reads);
      if (f.partial !== undefined) checkOutputs([f.partial], reads, "--partial");
      const opts: CheckOptions = { decode, failOn, allowEmpty: f.allowEmpty === true };
      if (f.jobs !== undefined) {
        if (!/^\d{1,4}$/.test(f.jobs) || Number(f.jobs) < 1) throw new UsageError(`--jobs ${f.jobs}: expected a number of worker threads, 1 or more`);
        opts.jobs = Number(f.jobs);
      }
      if (inputFormat !== undefined) opts.inputFormat = inputFormat;
      const progress = io.stderrIsTTY && !f.quiet && io.status ? new Progress(paths, io.status) : undefined;
      if (progress) opts.onChunk = (input, _bytes, raw) => progress.chunk(input, raw);
      const { table, results } = f.engine !== undefined ? await runCheckEngine(setup, paths, f) : await collectCheck(setup, paths, opts);
      progress?.finish();
      if (f.partial !== undefined) await writePartial(io, f.partial, setup, table, results);
      const prepared = prepareFromTable(setup, table, results, opts);
      await emitReport(io, prepared, f, baseline);
    });
  for (const o of engineCheckOptions()) cmd.addOption(o);
}
