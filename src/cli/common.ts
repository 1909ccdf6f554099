import { UsageError, errnoText } from "../errors.js";
import { guardInterrupt } from "./output.js";
import type { Report } from "../report/types.js";
import { escapeTerminal, escapeTerminalLines } from "../report/escape.js";
import { parseActionMap } from "../decode/log/action-words.js";
import { defaultDecodeOptions, type DecodeOptions } from "../decode/log/options.js";
import { CSV_FIELDS } from "../decode/log/csv.js";
import { knownFormats } from "../pipeline/formats.js";
import { UNKNOWN_FORMAT } from "../pipeline/run.js";
import { expandInputs } from "../source/inputs.js";
import { compileFilter } from "../source/glob.js";
import type { Command } from "commander";
import type { SarifPlaces } from "../report/sarif-places.js";
import { workTreeRoot } from "../source/work-tree.js";
import { shippedRulesetDir } from "../model/ruleset.js";
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Thrown by a command to end with an exit code after it has written its output. */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Where a command writes: injectable so tests assert output and exit codes without a process. */
export interface Io {
  /** Text, or UTF-8 bytes (a large report is written in chunks, each whole UTF-8). */
  stdout: (s: string | Uint8Array) => void;
  /**
   * Messages. The process's writer escapes every control character but the line breaks
   * (escapeTerminalLines); a message that embeds a name goes through `say`, which escapes those too.
   */
  stderr: (s: string) => void;
  /** The progress line on a terminal (its own \r and erase-line sequences, no input data); unset: none. */
  status?: (s: string) => void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** The terminal's width when stdout is a terminal. */
  columns?: number;
  env: NodeJS.ProcessEnv;
  /** Wait until stdout can take more (undefined: never needed). */
  drain?: () => Promise<void> | undefined;
  /**
   * A chunk given to `stdout` is written out (or queued past `drain`) before the next one is made, so
   * a large report may write its next chunks into the memory of earlier ones (jsonReportChunks `reuse`).
   * The process's own stdout: a file or terminal is written synchronously, and a pipe takes a chunk of
   * 1 MiB (above its 16 KiB high-water mark) only with a `drain` after it. Unset for an Io that keeps the chunks.
   */
  stdoutWritesThrough?: boolean;
}

/** Resolve when stdout has room again (backpressure for long outputs such as `events`). */
export function stdoutDrained(): Promise<void> | undefined {
  if (!process.stdout.writableNeedDrain) return undefined;
  return new Promise((res) => process.stdout.once("drain", () => res()));
}

let pipeGuard = false;
/**
 * A closed output pipe (`portmatrix events ... | head`) ends the process at once and quietly, with
 * status 0, as other Unix tools do. Any other failure to write standard output (a full disk, an I/O
 * error) means the output is lost: one line says so, and the status is 2 whatever --fail-on says.
 * Nothing is left half-written to a file (reports go through writeReport, src/cli/output.ts).
 */
export function guardStdoutPipe(): void {
  if (pipeGuard) return;
  pipeGuard = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    writeStderr(`portmatrix: cannot write to standard output: ${errnoText(e)}\n`);
    process.exit(2);
  });
}

/** The one writer of stderr: nothing from an input reaches the terminal raw, whoever composed the message. */
function writeStderr(s: string): void {
  process.stderr.write(escapeTerminalLines(s));
}

/**
 * One message line, `portmatrix: TEXT`: TEXT names files, hosts and roles, so its line breaks are
 * escaped too (a newline in a file name cannot forge a line of its own).
 */
export function say(io: Io, text: string): void {
  io.stderr(`portmatrix: ${escapeTerminal(text)}\n`);
}

/** One line per problem of the run on stderr: the fatal ones, and the ones --allow-empty accepted. */
export function sayProblems(io: Io, report: Pick<Report, "checked">): void {
  for (const p of report.checked.problems) say(io, p.fatal ? p.message : `${p.message} (accepted: --allow-empty)`);
}

export function processIo(): Io {
  guardStdoutPipe();
  guardInterrupt(writeStderr);
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: writeStderr,
    status: (s) => process.stderr.write(s),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    ...(process.stdout.isTTY === true && process.stdout.columns > 0 ? { columns: process.stdout.columns } : {}),
    env: process.env,
    drain: stdoutDrained,
    stdoutWritesThrough: true,
  };
}

/** Width of text tables when stdout is no terminal and COLUMNS does not say: a common terminal, pager or mail. */
export const DEFAULT_COLUMNS = 100;

/** How wide a text table may be: --width, else the terminal's width, else $COLUMNS, else DEFAULT_COLUMNS. */
export function outputWidth(io: Io, flag: string | undefined): number {
  if (flag !== undefined) {
    if (!/^\d{1,4}$/.test(flag) || Number(flag) < 20) throw new UsageError(`--width ${flag}: expected a number of columns, 20 or more`);
    return Number(flag);
  }
  if (io.columns !== undefined) return io.columns;
  const env = Number(io.env.COLUMNS);
  return Number.isInteger(env) && env >= 20 ? env : DEFAULT_COLUMNS;
}

/** Colour only on a terminal, and never with NO_COLOR (https://no-color.org) set. */
export function useColor(io: Io, tty: boolean): boolean {
  return tty && !(io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") && io.env.TERM !== "dumb";
}

/** Collect repeatable and comma-separated option values. */
export function collect(value: string, prev: string[] = []): string[] {
  return [...prev, ...value.split(",").map((s) => s.trim()).filter(Boolean)];
}

export function collectRaw(value: string, prev: string[] = []): string[] {
  return [...prev, value];
}

export function parseSets(sets: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of sets) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set ${s}: expected NAME=VALUE (for example --set https_port=8443)`);
    out.set(s.slice(0, eq).trim(), s.slice(eq + 1).trim());
  }
  return out;
}

export interface DecodeFlags {
  inputFormat?: string;
  actionMap?: string[];
  year?: string;
  csvColumns?: string[];
  netflowPort?: string[];
}

export function decodeOptionsFrom(f: DecodeFlags): DecodeOptions {
  const o = defaultDecodeOptions();
  if (f.actionMap && f.actionMap.length > 0) {
    const m = parseActionMap(f.actionMap.join(","));
    if (typeof m === "string") throw new UsageError(`--action-map ${m}`);
    o.actionMap = m;
  }
  if (f.year !== undefined) {
    if (!/^\d{4}$/.test(f.year)) throw new UsageError(`--year ${f.year}: expected a four-digit year`);
    o.year = Number(f.year);
    o.nowMs = Date.UTC(o.year + 1, 0, 1);
  }
  if (f.csvColumns && f.csvColumns.length > 0) {
    const cols: Record<string, string> = {};
    for (const p of f.csvColumns.flatMap((x) => x.split(","))) {
      const eq = p.indexOf("=");
      const k = p.slice(0, eq).trim();
      if (eq <= 0 || !(CSV_FIELDS as readonly string[]).includes(k)) {
        throw new UsageError(`--csv-columns ${p}: expected FIELD=COLUMN with FIELD one of ${CSV_FIELDS.join(", ")}`);
      }
      cols[k] = p.slice(eq + 1).trim();
    }
    o.csvColumns = cols;
  }
  if (f.netflowPort && f.netflowPort.length > 0) {
    const ports = f.netflowPort.flatMap((x) => x.split(",")).map((p) => p.trim());
    for (const p of ports) {
      if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw new UsageError(`--netflow-port ${p}: expected a UDP port number, 1 to 65535`);
    }
    // The user's ports come in addition to the usual ones: a capture may hold both.
    o.flowExportPorts = [...new Set([...o.flowExportPorts, ...ports.map(Number)])];
  }
  return o;
}

/** --input-format's help: every format name, so that nobody has to guess one. */
export function inputFormatHelp(): string {
  return `skip detection and read every input as this format: ${knownFormats().join(", ")}`;
}

/**
 * Once per run, after the inputs' errors: the formats portmatrix reads, when some input was in none
 * of them (each such error says so in a line of its own, without the list).
 */
export function sayFormatList(io: Io, errors: readonly (string | null | undefined)[]): void {
  if (!errors.some((e) => e?.includes(UNKNOWN_FORMAT))) return;
  io.stderr(`portmatrix: the formats portmatrix reads (detected from the content): ${knownFormats().join(", ")}\n`);
}

/** --include / --exclude, on every command that reads directories. */
export function addPathFilterOptions(cmd: Command): Command {
  return cmd
    .option("--exclude <glob>", "leave out files (and directories) of the given directories whose path below the directory or whose name matches, e.g. '*.md', 'old/**' (repeatable; * ? [a-z] **)", collectRaw)
    .option("--include <glob>", "read only the files of the given directories whose path below the directory or whose name matches, e.g. '*.log*' (repeatable)", collectRaw);
}

/** The command line's inputs, directories expanded, filtered by --include and --exclude. */
export function inputPaths(args: readonly string[], f: { include?: string[]; exclude?: string[] }): string[] {
  const filtered = (f.include?.length ?? 0) + (f.exclude?.length ?? 0) > 0;
  const paths = expandInputs(args, filtered ? compileFilter(f.include ?? [], f.exclude ?? []) : undefined);
  if (paths.length === 0) throw new UsageError(`no input files found in the given paths${filtered ? " (after --include and --exclude)" : ""}`);
  return paths;
}

/** Inventory warnings shown at once; the rest are counted. */
const INVENTORY_WARNINGS_SHOWN = 10;

/** The inventory's warnings on stderr (a prefix inside a prefix of other roles, an unused host name). */
export function sayInventoryWarnings(io: Io, inv: { warnings: readonly string[] }): void {
  for (const w of inv.warnings.slice(0, INVENTORY_WARNINGS_SHOWN)) io.stderr(`portmatrix: warning: ${w}\n`);
  const more = inv.warnings.length - INVENTORY_WARNINGS_SHOWN;
  if (more > 0) io.stderr(`portmatrix: warning: ... and ${more} more inventory warning${more === 1 ? "" : "s"} of the same kinds\n`);
}

export function checkInputFormat(f: string | undefined): string | undefined {
  if (f === undefined) return undefined;
  if (!knownFormats().includes(f)) throw new UsageError(`--input-format ${f}: unknown format; known: ${knownFormats().join(", ")}`);
  return f;
}

/**
 * Where a SARIF log's paths are relative to (README "SARIF"): `--sarif-root DIR`, else the git work
 * tree holding the working directory, else the working directory; and the package root that holds the
 * shipped rulesets.
 */
export function sarifPlaces(root: string | undefined): SarifPlaces {
  const cwd = process.cwd();
  if (root !== undefined && statSync(root, { throwIfNoEntry: false })?.isDirectory() !== true) {
    throw new UsageError(`--sarif-root ${root}: not a directory; expected the root of the source tree the SARIF paths are relative to`);
  }
  const srcRoot = root !== undefined ? resolve(root) : workTreeRoot(cwd) ?? cwd;
  return { srcRoot, cwd, packageRoot: dirname(shippedRulesetDir()) };
}
