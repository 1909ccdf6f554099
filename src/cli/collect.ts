import type { Command } from "commander";
import { ExitCode, collect, collectRaw, decodeOptionsFrom, parseSets, type Io } from "./common.js";
import { releaseInterruptGuard, writeReport } from "./output.js";
import { parseFailOn, setupCheck } from "../pipeline/check.js";
import { preloadConfig } from "../source/config.js";
import { formatFromPath, type ReportFormat } from "../report/formats.js";
import { jsonReportChunks } from "../report/json-chunks.js";
import { materialise } from "../report/build.js";
import { Collector, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_MESSAGE, type ListenAddress } from "../collect/collector.js";
import { UsageError } from "../errors.js";

interface CollectFlags {
  ruleset: string;
  inventory: string;
  scenario?: string[];
  set?: string[];
  netflow?: string;
  syslog?: string;
  duration?: string;
  every?: string;
  output?: string[];
  failOn?: string[];
  actionMap?: string[];
  year?: string;
  maxMessage?: string;
  pairWindow?: string;
}

/** "2055", ":2055", "HOST:2055", "[::1]:2055"; a port alone binds to loopback. */
export function parseListen(option: string, v: string): ListenAddress {
  const m = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):)?(\d{1,5})$/.exec(v.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new UsageError(`${option} ${v}: expected [HOST:]PORT, e.g. 127.0.0.1:2055 or [::1]:514`);
  const host = m[1] ?? (m[2] !== undefined && m[2] !== "" ? m[2] : "127.0.0.1");
  return { host, port };
}

function seconds(option: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) < min) throw new UsageError(`${option} ${v}: expected a number of seconds, at least ${min}`);
  return Number(v);
}

export function registerCollect(program: Command, io: Io): void {
  program
    .command("collect")
    .description("listen for NetFlow/IPFIX and syslog, check every flow as it comes, and keep a report written")
    .requiredOption("-r, --ruleset <id|file>", "shipped ruleset id or a YAML file")
    .requiredOption("-i, --inventory <file>", "inventory (YAML or CSV)")
    .option("-s, --scenario <ids>", "only rules of these scenarios (repeatable)", collect)
    .option("--set <name=value>", "override a ruleset variable (repeatable)", collectRaw)
    .option("--netflow <[host:]port>", "receive NetFlow v5/v9 and IPFIX over UDP here (a port alone: 127.0.0.1)")
    .option("--syslog <[host:]port>", "receive syslog over UDP and TCP here (RFC 3164/5424; octet-counted or line framing)")
    .option("--duration <s>", "stop after this many seconds (default: until SIGINT or SIGTERM)")
    .option("--every <s>", "write the report every this many seconds (default 60); SIGHUP writes it at once")
    .option("-o, --output <file>", "report file, format from its extension; repeatable; written whole, then renamed into place", collectRaw)
    .option("--fail-on <verdicts>", "verdicts that make the final exit status 1", collect)
    .option("--action-map <prefix=action>", "map your own log prefixes to allowed/blocked (repeatable)", collectRaw)
    .option("--year <yyyy>", "year for syslog timestamps that carry none")
    .option("--max-message <bytes>", `largest syslog message kept (default ${DEFAULT_MAX_MESSAGE})`)
    .option("--pair-window <s>", "how long a flow record waits for its reverse direction (default 60)")
    .addHelpText("after", `
A collector for a lab, a pilot or a host that already receives these streams, not an internet-facing
service: it binds to loopback unless told otherwise, keeps messages below --max-message and ${DEFAULT_MAX_CONNECTIONS} TCP
senders, and never answers a sender.

Examples:
  portmatrix collect -r kcps-file-server -i inv.yaml --netflow 2055 --syslog 5514 --every 60 -o report.json -o report.html
  portmatrix collect -r kcps-file-server -i inv.yaml --syslog 0.0.0.0:514 --duration 3600 -o hour.json`)
    .action(async (f: CollectFlags) => {
      if (f.netflow === undefined && f.syslog === undefined) throw new UsageError("collect: give --netflow [HOST:]PORT, --syslog [HOST:]PORT or both");
      const outputs = (f.output ?? []).map((path) => {
        const fmt = formatFromPath(path) as ReportFormat | undefined;
        if (!fmt) throw new UsageError(`--output ${path}: cannot tell the format from the name; use .json .html .md .csv .xml .sarif or .txt`);
        return { path, fmt };
      });
      if (outputs.length === 0) throw new UsageError("collect: give at least one --output FILE for the report");
      const decode = decodeOptionsFrom(f);
      const duration = seconds("--duration", f.duration, 0.1);
      const every = seconds("--every", f.every, 0.1) ?? 60;
      const maxMessage = f.maxMessage === undefined ? DEFAULT_MAX_MESSAGE : Number(f.maxMessage);
      if (!Number.isInteger(maxMessage) || maxMessage < 480 || maxMessage > 16 * 1024 * 1024) {
        // RFC 5426 section 3.2: receivers must take at least 480 bytes over IPv4.
        throw new UsageError(`--max-message ${f.maxMessage}: expected a number of bytes from 480 to 16777216`);
      }
      const pairWindow = seconds("--pair-window", f.pairWindow, 0) ?? 60;
      await preloadConfig([[f.ruleset, "ruleset"], [f.inventory, "inventory"]]);
      const setup = setupCheck(f.ruleset, f.inventory, f.scenario ?? [], parseSets(f.set ?? []));
      const failOn = parseFailOn(f.failOn);
      const collector = new Collector({
        setup, decode, failOn, maxMessage, maxConnections: DEFAULT_MAX_CONNECTIONS, idleMs: 300_000, pairWindowMs: pairWindow * 1000,
        ...(f.netflow !== undefined ? { netflow: parseListen("--netflow", f.netflow) } : {}),
        ...(f.syslog !== undefined ? { syslog: parseListen("--syslog", f.syslog) } : {}),
      });
      await collector.start();
      releaseInterruptGuard();
      const ports = collector.ports();
      io.stderr(`portmatrix collect: listening${ports.netflow !== undefined ? ` netflow udp ${ports.netflow}` : ""}${ports.syslogUdp !== undefined ? ` syslog udp ${ports.syslogUdp} tcp ${ports.syslogTcp}` : ""}; report every ${every} s to ${outputs.map((o) => o.path).join(", ")}\n`);

      const write = async (final: boolean): Promise<number> => {
        const prepared = collector.report(final);
        const report = materialise(prepared);
        for (const o of outputs) {
          if (o.fmt === "json") await writeReport(o.path, jsonReportChunks(prepared, undefined, true));
          else {
            const { renderChunks } = await import("../report/render.js");
            await writeReport(o.path, renderChunks(report, o.fmt));
          }
        }
        return report.exitCode;
      };

      const code = await new Promise<number>((resolve) => {
        let writing = Promise.resolve(0);
        const queue = (final: boolean) => (writing = writing.then(() => write(final)).catch((e: unknown) => {
          io.stderr(`portmatrix collect: ${(e as Error).message}\n`);
          return 2;
        }));
        const timer = setInterval(() => void queue(false), every * 1000);
        const onHup = () => void queue(false);
        let stopping = false;
        const stop = (why: string) => {
          if (stopping) return;
          stopping = true;
          clearInterval(timer);
          if (stopTimer) clearTimeout(stopTimer);
          process.removeListener("SIGHUP", onHup);
          process.removeListener("SIGINT", onInt);
          process.removeListener("SIGTERM", onTerm);
          io.stderr(`portmatrix collect: ${why}; writing the last report\n`);
          void collector.close().then(() => queue(true)).then(resolve);
        };
        const onInt = () => stop("SIGINT");
        const onTerm = () => stop("SIGTERM");
        process.on("SIGHUP", onHup);
        process.on("SIGINT", onInt);
        process.on("SIGTERM", onTerm);
        const stopTimer = duration !== undefined ? setTimeout(() => stop(`${duration} s passed`), duration * 1000) : undefined;
      });
      for (const i of collector.inputs) {
        const s = i.stats;
        io.stderr(`${i.path} (${i.format}): ${s.read} read, ${s.used} used, ${s.skipped} skipped\n`);
      }
      throw new ExitCode(code);
    });
}
