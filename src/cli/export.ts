import { Command, Option } from "commander";
import { collect, collectRaw, parseSets, sayInventoryWarnings, type Io } from "./common.js";
import { checkOutputs, planReports, writeReport } from "./output.js";
import { EXPORT_FORMATS, exportFormat } from "../export/formats.js";
import { UsageError } from "../errors.js";
import { preloadConfig } from "../source/config.js";

interface ExportFlags {
  to: string;
  ruleset: string;
  inventory: string;
  scenario?: string[];
  set?: string[];
  documentedOnly?: boolean;
  output?: string;
  logPrefix: string;
  logAccepted?: boolean;
  name: string;
  ipset?: boolean;
}

export function registerExport(program: Command, io: Io): void {
  program
    .command("export")
    .description("write firewall rules that open exactly what the matrix requires between the inventory's roles")
    .addOption(new Option("-t, --to <format>", "output format").choices(EXPORT_FORMATS.map((f) => f.id)).makeOptionMandatory())
    .requiredOption("-r, --ruleset <id|file>", "shipped ruleset id (see `rules list`) or a YAML file")
    .requiredOption("-i, --inventory <file>", "inventory: YAML or CSV; role addresses become the rules' addresses")
    .option("-s, --scenario <ids>", "only rules of these scenarios (repeat or comma-separate; default all)", collect)
    .option("--set <name=value>", "override a ruleset variable (repeatable); conditional rules follow it", collectRaw)
    .option("--documented-only", "leave out rules marked inferred (not stated by the vendor's document)")
    .option("-o, --output <file>", "write to this file (whole, then renamed into place) instead of stdout")
    .option("--log-prefix <text>", "log prefix before the action word (nftables, iptables)", "portmatrix")
    .option("--log-accepted", "also log the first packet of each accepted connection (nftables, iptables)")
    .option("--name <name>", "name of the table / chain / group / stack the export creates", "portmatrix")
    .option("--ipset", "iptables: match roles with the ipset sets that --to ipset writes")
    .addHelpText("after", `
Formats:
${EXPORT_FORMATS.map((f) => `  ${f.id.padEnd(20)} ${f.title}`).join("\n")}

Examples:
  portmatrix export --to nftables -r kcps-file-server -i fixtures/kcps/inventory.yaml -o kcps.nft && nft -f kcps.nft
  portmatrix export --to nftables -r kcps-file-server -i inv.yaml --scenario browse --documented-only
  portmatrix export --to iptables -r kcps-file-server -i inv.yaml --set trust_direction=two-way > rules.v4

Exit status: 0 written, 2 usage error or a ruleset or inventory that does not validate.`)
    .action(async (f: ExportFlags, cmd: Command) => {
      const format = exportFormat(f.to)!;
      if (!format.usesLog && (cmd.getOptionValueSource("logPrefix") === "cli" || f.logAccepted === true)) {
        throw new UsageError(`--log-prefix and --log-accepted apply to formats that log (nftables, iptables, ip6tables), not to ${f.to}`);
      }
      if (!/^[a-z][a-z0-9_-]{0,28}$/i.test(f.name)) throw new UsageError(`--name ${f.name}: expected a letter then up to 28 letters, digits, "_" or "-"`);
      if (f.ipset && f.to !== "iptables" && f.to !== "ip6tables") throw new UsageError("--ipset applies to --to iptables and --to ip6tables only");
      // Loaded when the command runs, so that other commands start no slower.
      const { planExport } = await import("../pipeline/export.js");
      await preloadConfig([[f.ruleset, "ruleset"], [f.inventory, "inventory"]]);
      const plan = planExport({
        ruleset: f.ruleset, inventory: f.inventory, scenarios: f.scenario ?? [], sets: parseSets(f.set ?? []), documentedOnly: f.documentedOnly === true,
      });
      sayInventoryWarnings(io, { warnings: plan.inventoryWarnings });
      const text = format.render(plan, { logPrefix: f.logPrefix, logAccepted: f.logAccepted === true, table: f.name, ipset: f.ipset === true });
      if (f.output !== undefined) {
        // Written as reports are (src/cli/output.ts): never over the inventory or the ruleset it reads.
        checkOutputs([f.output], [{ path: plan.inventoryFile, what: "the inventory" }, { path: plan.ruleset.file, what: "the ruleset" }]);
        planReports([f.output]);
        await writeReport(f.output, text);
      } else io.stdout(text);
    });
}
