import { Command, Option } from "commander";
import { basename } from "node:path";
import { DEFAULT_COLUMNS, ExitCode, collect, collectRaw, outputWidth, parseSets, type Io } from "./common.js";
import {
  activeRules, checkRuleset, checkScenarios, listShippedRulesets, loadRulesetDef, parseVariableValue, readRulesetFile, resolveRuleset,
} from "../model/ruleset.js";
import { ruleRows, rulesCsv, rulesMarkdown, rulesTable } from "../report/rules-table.js";
import { UsageError } from "../errors.js";
import { preloadConfig } from "../source/config.js";
import { escapeTerminal } from "../report/escape.js";

export function registerRules(program: Command, io: Io): void {
  const rules = program.command("rules").description("list, show and lint rulesets");

  rules
    .command("list")
    .description("shipped rulesets with their scenarios, roles and variables (with their defaults; override them with --set or the inventory's variables:)")
    .addHelpText("after", `
Example:
  portmatrix rules list
    kcps-file-server  KCPS file server (KDDI), port requirements
      file: rulesets/kcps-file-server.yaml; 44 rules
      scenarios: trust, browse, acl, remote-ops, capacity
      roles: kcps-fs, kcps-fs-ad, kcps-fs-dns, ...
      variables: trust_direction=one-way

Exit status: 0.`)
    .action(() => {
      for (const file of listShippedRulesets()) {
        const def = loadRulesetDef(file);
        const r = def.raw;
        io.stdout(`${r.id}  ${r.title}\n`);
        // Variables can add rules (a direction set to both mirrors some): say the count rules show gives too.
        const checked = resolveRuleset(def, new Map(), new Map()).rules.length;
        io.stdout(`  file: rulesets/${basename(file)}; ${r.rules.length} rules${checked !== r.rules.length ? `, ${checked} with the default variables (rules show lists them)` : ""}\n`);
        io.stdout(`  scenarios: ${r.scenarios.map((s) => s.id).join(", ")}\n`);
        io.stdout(`  roles: ${r.roles.map((s) => s.id).join(", ")}\n`);
        const vars = Object.entries(r.variables ?? {});
        if (vars.length > 0) io.stdout(`  variables: ${vars.map(([k, v]) => `${k}=${v.default}`).join(", ")}\n`);
        io.stdout("\n");
      }
    });

  rules
    .command("show")
    .description("render a ruleset as a table like the document's")
    .argument("<ruleset>", "shipped ruleset id or a YAML file")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "md", "csv", "json"]).default("table"))
    .option("-s, --scenario <ids>", "only rules of these scenarios", collect)
    .option("--role <ids>", "only rules from or to these roles", collect)
    .option("--set <name=value>", "override a variable (repeatable)", collectRaw)
    .option("--documented-only", "only the rules the document states (leave out rules marked inferred)")
    .option("--width <columns>", `table width (default: the terminal's, else $COLUMNS, else ${DEFAULT_COLUMNS}); long cells wrap, nothing is cut`)
    .addHelpText("after", `
Examples:
  portmatrix rules show kcps-file-server --format md
  portmatrix rules show skydiv-desktop-client --scenario vdi --role launcher
  portmatrix rules show skydiv-desktop-client --documented-only

Exit status: 0, 2 usage error (unknown ruleset, scenario or role).`)
    .action(async (arg: string, f: { format: string; scenario?: string[]; role?: string[]; set?: string[]; documentedOnly?: boolean; width?: string }) => {
      const width = outputWidth(io, f.width);
      await preloadConfig([[arg, "ruleset"]]);
      const def = loadRulesetDef(arg);
      const sets = new Map<string, number | string>();
      for (const [k, v] of parseSets(f.set ?? [])) sets.set(k, parseVariableValue(def, k, v, `--set ${k}=${v}`));
      const rs = resolveRuleset(def, new Map(), sets);
      checkScenarios(rs, f.scenario ?? []);
      const roleIds = rs.roles.map((r) => r.id);
      for (const r of f.role ?? []) {
        if (!roleIds.includes(r)) throw new UsageError(`--role ${r}: unknown role; known roles: ${roleIds.join(", ")}`);
      }
      let list = activeRules(rs, f.scenario ?? [], f.documentedOnly === true);
      if (f.role && f.role.length > 0) list = list.filter((r) => f.role!.includes(r.from) || f.role!.includes(r.to));
      const rows = ruleRows(rs, list);
      if (f.format === "md") io.stdout(rulesMarkdown(rs, rows));
      else if (f.format === "csv") io.stdout(rulesCsv(rows));
      else if (f.format === "json") {
        io.stdout(JSON.stringify({ id: rs.id, title: rs.title, provenance: rs.provenance, variables: rs.variables, roles: rs.roles, scenarios: rs.scenarios, services: rs.services, rules: list }, null, 2) + "\n");
      } else io.stdout(rulesTable(rs, rows, width, f.documentedOnly === true));
    });

  rules
    .command("lint")
    .description("validate your own ruleset file: every problem with file:line:column")
    .argument("<file>", "ruleset YAML")
    .addHelpText("after", `
Example:
  portmatrix rules lint my-product.yaml

Exit status: 0 valid, 1 problems found (each on stderr with file:line:column), 2 the file cannot be read.`)
    .action(async (file: string) => {
      await preloadConfig([[file, "ruleset"]]);
      const text = readRulesetFile(file);
      const { def, problems } = checkRuleset(file, text);
      for (const p of problems) io.stderr(`${escapeTerminal(p.message)}\n`);
      if (!def) {
        io.stderr(`${problems.length} problem${problems.length === 1 ? "" : "s"} found\n`);
        throw new ExitCode(1);
      }
      io.stdout(`${file}: ok (${def.raw.rules.length} rules, ${def.raw.roles.length} roles, ${def.raw.services.length} services, ${def.raw.scenarios.length} scenarios)\n`);
    });
}
