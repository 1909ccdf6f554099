import { Command, Option } from "commander";
import { ExitCode, checkInputFormat, collect, collectRaw, decodeOptionsFrom, parseSets, useColor, writeFileAtomic, type Io } from "./common.js";
import { parseFailOn, runCheck, setupCheck, type CheckOptions } from "../pipeline/check.js";
import { expandInputs } from "../source/inputs.js";
import { renderText } from "../report/text.js";
import { UsageError } from "../errors.js";

interface CheckFlags {
  ruleset: string;
  inventory: string;
  scenario?: string[];
  set?: string[];
  format: string;
  output?: string;
  failOn?: string[];
  inputFormat?: string;
  actionMap?: string[];
  year?: string;
  csvColumns?: string[];
  all?: boolean;
}

export function registerCheck(program: Command, io: Io): void {
  program
    .command("check")
    .description("read logs or captures and check every flow against the ruleset")
    .argument("<inputs...>", "files, directories (recursive), gzip is read transparently, - for stdin")
    .requiredOption("-r, --ruleset <id|file>", "shipped ruleset id (see `rules list`) or a YAML file")
    .requiredOption("-i, --inventory <file>", "inventory: YAML (roles: {role: [address/CIDR...]}) or CSV (address,role[,name])")
    .option("-s, --scenario <ids>", "only rules of these scenarios (repeat or comma-separate; default all)", collect)
    .option("--set <name=value>", "override a ruleset variable, e.g. --set https_port=8443 (repeatable)", collectRaw)
    .addOption(new Option("-f, --format <format>", "report format").choices(["text", "json"]).default("text"))
    .option("-o, --output <file>", "write the report to a file (written whole, then renamed into place)")
    .option("--fail-on <verdicts>", "verdicts that make the exit status 1 (default blocked-required,allowed-unexpected; 'none')", collect)
    .option("--input-format <format>", "skip detection and read every input as this format")
    .option("--action-map <prefix=action>", "map your own log prefixes to allowed/blocked, e.g. FW-IN-X=blocked (repeatable)", collectRaw)
    .option("--year <yyyy>", "year for syslog timestamps that carry none (default: this year)")
    .option("--csv-columns <field=column>", "CSV column names: src, dst, sport, dport, proto, action, time (repeatable)", collectRaw)
    .option("--all", "list every verdict group and every unobserved rule in the text report")
    .addHelpText("after", `
Examples:
  portmatrix check --ruleset kcps-file-server --inventory fixtures/kcps/inventory.yaml fixtures/kcps/kern.log
  portmatrix check -r kcps-file-server -i inv.yaml --format json archive/ > report.json
  portmatrix check -r skydiv-desktop-client -i inv.csv --scenario sbc --set https_port=8443 deny.log.gz`)
    .action(async (inputs: string[], f: CheckFlags) => {
      const decode = decodeOptionsFrom(f);
      const inputFormat = checkInputFormat(f.inputFormat);
      const setup = setupCheck(f.ruleset, f.inventory, f.scenario ?? [], parseSets(f.set ?? []));
      const failOn = parseFailOn(f.failOn);
      const paths = expandInputs(inputs);
      if (paths.length === 0) throw new UsageError("no input files found in the given paths");
      const opts: CheckOptions = { decode, failOn };
      if (inputFormat !== undefined) opts.inputFormat = inputFormat;
      const report = await runCheck(setup, paths, opts);
      for (const i of report.inputs) if (i.error) io.stderr(`portmatrix: ${i.error}\n`);
      const text = f.format === "json"
        ? JSON.stringify(report, null, 2) + "\n"
        : renderText(report, { color: f.output === undefined && useColor(io, io.stdoutIsTTY), all: f.all === true });
      if (f.output !== undefined) writeFileAtomic(f.output, text);
      else io.stdout(text);
      throw new ExitCode(report.exitCode);
    });
}
