import { Command, Option } from "commander";
import { ExitCode, collect, collectRaw, parseSets, type Io } from "./common.js";
import { addSourceOptions, planFrom, sourceOptionsFrom, type SourceFlags } from "./engine-options.js";
import { setupCheck } from "../pipeline/check.js";
import type { DialectName } from "../engine/dialect.js";

/** (Spelled here: the SQL machinery is loaded when the command runs, not at start-up.) */
const DIALECT_NAMES: readonly DialectName[] = ["duckdb", "clickhouse", "trino", "spark", "bigquery"];

interface SqlFlags extends SourceFlags {
  dialect: string;
  ruleset: string;
  inventory: string;
  table: string;
  scenario?: string[];
  set?: string[];
}

export function registerSql(program: Command, io: Io): void {
  const cmd = program
    .command("sql")
    .description("print the matrix as one SQL query over a flow table, for people who run it in their own engine")
    .addOption(new Option("-d, --dialect <dialect>", "the engine's SQL").choices([...DIALECT_NAMES]).makeOptionMandatory())
    .requiredOption("-r, --ruleset <id|file>", "shipped ruleset id (see `rules list`) or a YAML file")
    .requiredOption("-i, --inventory <file>", "inventory: YAML or CSV")
    .requiredOption("--table <name>", "the table or view holding the flow records (db.table)")
    .option("-s, --scenario <ids>", "only rules of these scenarios (repeat or comma-separate; default all)", collect)
    .option("--set <name=value>", "override a ruleset variable (repeatable)", collectRaw);
  addSourceOptions(cmd)
    .addHelpText("after", `
The table's columns are those of --mapping (default: the canonical schema, docs/engines.md).
Examples:
  portmatrix sql --dialect trino -r kcps-file-server -i inv.yaml --table vpc_flow_logs --mapping aws-vpc-flow --since 2026-11-01
  portmatrix sql --dialect duckdb -r kcps-file-server -i inv.yaml --table flows > matrix.sql`)
    .action(async (f: SqlFlags) => {
      const setup = setupCheck(f.ruleset, f.inventory, f.scenario ?? [], parseSets(f.set ?? []));
      const { printQuery } = await import("../engine/print.js");
      io.stdout(printQuery(setup, f.dialect, f.table, sourceOptionsFrom(f, "canonical"), planFrom(f)));
      throw new ExitCode(0);
    });
}
