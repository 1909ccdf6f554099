/**
 * The built-in mappings read a format's records as its native decoder does: the same fixture through
 * `check` and through `check --engine duckdb|clickhouse` gives the same findings (AWS VPC flow logs as
 * text with and without a header and as Parquet in the delivery schema, Zeek conn.log as TSV and JSON,
 * ECS as NDJSON against the same rows as CSV). nfdump has no native decoder: its CSV and JSON outputs
 * of one capture (fixtures/engine/PROVENANCE.md) must give the same findings, checked by hand below.
 */
import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { collectCheck, prepareFromTable, setupCheck, type CheckSetup } from "../../src/pipeline/check.js";
import { runEngine, type EngineName } from "../../src/engine/run.js";
import { materialise } from "../../src/report/build.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import type { Report } from "../../src/report/types.js";
import { tmpFiles } from "../helpers/tmp.js";
import { HAVE_CHDB, HAVE_DUCKDB, needs } from "../helpers/engines.js";
import { VPC_DEFAULT_FIELDS } from "../../src/engine/schema.js";

/** Every address in a role, so that the fixtures' flows get verdicts rather than "unclassified". */
const HALVES = `roles:
  file-share-client: [0.0.0.0/1, "::/1"]
  kcps-fs: [128.0.0.0/1, "8000::/1"]
`;
const NOW = new Date(0);
const engines: EngineName[] = [];
if (needs("@duckdb/node-api", HAVE_DUCKDB)) engines.push("duckdb");
if (needs("chdb", HAVE_CHDB)) engines.push("clickhouse");

function setup(): CheckSetup {
  const dir = tmpFiles({ "inv.yaml": HALVES });
  return setupCheck("kcps-file-server", join(dir, "inv.yaml"), [], new Map());
}

async function native(s: CheckSetup, path: string): Promise<Report> {
  const { table, results } = await collectCheck(s, [path], { decode: defaultDecodeOptions(), failOn: [], jobs: 1 });
  return materialise(prepareFromTable(s, table, results, { failOn: [], now: NOW }));
}

async function engine(s: CheckSetup, e: EngineName, path: string, mapping = "auto"): Promise<Report> {
  const { table, results } = await runEngine(s, [path], { engine: e, source: { mapping, columns: new Map(), where: [] } });
  return materialise(prepareFromTable(s, table, results, { failOn: [], now: NOW }));
}

const findings = (r: Report) => r.findings.map((f) => ({ ...f, example: undefined }));
const used = (r: Report) => r.inputs.reduce((a, i) => a + i.records.used, 0);

const VPC = "fixtures/logs/aws-vpc-flow/";
const ZEEK = "fixtures/logs/zeek-conn/";
const SAME_AS_NATIVE = [
  `${VPC}awsdocs/default-format-no-header.log`,
  `${VPC}handmade/edge-cases.log`,
  `${ZEEK}elastic-integrations/test-conn.log`,
  `${ZEEK}zeek/opt.basic.conn.log`,
  `${ZEEK}zeek/scripts.base.frameworks.logging.scope_sep.conn.log`,
  `${ZEEK}zeek/scripts.base.protocols.ftp.ftp-ipv6.conn.log`,
  `${ZEEK}handmade/comma-separator.conn.log`,
];

for (const e of engines) {
  describe(`${e}: built-in mappings read records as the native decoders do`, () => {
    for (const f of SAME_AS_NATIVE) {
      it(`${f.split("/").slice(-2).join("/")}: the native findings`, async () => {
        const s = setup();
        const want = await native(s, f);
        expect(want.findings.length).toBeGreaterThan(0);
        const got = await engine(s, e, f);
        expect(findings(got)).toEqual(findings(want));
        expect(used(got)).toBe(used(want));
        expect(got.summary).toEqual(want.summary);
      });
    }

    it("VPC flow logs as Parquet in the delivery schema (typed columns, log_status) give the text's findings", async () => {
      const s = setup();
      const text = `${VPC}awsdocs/default-format-no-header.log`;
      const dir = tmpFiles({});
      const parquet = join(dir, "vpc.parquet");
      const { openDuckdb } = await import("../../src/engine/runners/duckdb.js");
      const d = await openDuckdb();
      await d.query(`COPY (SELECT TRY_CAST(version AS INTEGER) AS version, "account-id" AS account_id, "interface-id" AS interface_id,
        nullif(srcaddr, '-') AS srcaddr, nullif(dstaddr, '-') AS dstaddr, TRY_CAST(srcport AS INTEGER) AS srcport, TRY_CAST(dstport AS INTEGER) AS dstport,
        TRY_CAST(protocol AS INTEGER) AS protocol, TRY_CAST(packets AS BIGINT) AS packets, TRY_CAST(bytes AS BIGINT) AS bytes,
        TRY_CAST(start AS BIGINT) AS start, TRY_CAST("end" AS BIGINT) AS "end", nullif(action, '-') AS action, "log-status" AS log_status
        FROM read_csv('${text}', delim = ' ', header = false, all_varchar = true, columns = {${VPC_DEFAULT_FIELDS.map((n) => `'${n}': 'VARCHAR'`).join(", ")}}))
        TO '${parquet}' (FORMAT parquet)`);
      await d.close();
      const want = await native(s, text);
      const got = await engine(s, e, parquet);
      expect(got.inputs[0]!.format).toBe("parquet (aws-vpc-flow)");
      expect(findings(got)).toEqual(findings(want));
      // NODATA / SKIPDATA rows are skipped with the native reasons.
      expect(got.inputs[0]!.skippedByReason).toEqual(want.inputs[0]!.skippedByReason);
      expect(Object.keys(got.inputs[0]!.skippedByReason)).toContain("nodata");
    });

    it("ECS as NDJSON (nested objects) gives the findings of the same rows as CSV with ECS column names", async () => {
      const s = setup();
      const rows = [
        ["2026-11-23T09:00:00Z", "10.0.0.5", 50000, "200.0.0.10", 445, "tcp", "allow"],
        ["2026-11-23T09:00:01Z", "10.0.0.5", 50001, "200.0.0.10", 3389, "tcp", "deny"],
        ["2026-11-23T09:00:02Z", "fd00::5", 50002, "::10", 53, "udp", "allow"],
        ["2026-11-23T09:00:03Z", "10.0.0.6", null, "200.0.0.10", null, "icmp", "deny"],
      ] as const;
      const csv = "@timestamp,source.ip,source.port,destination.ip,destination.port,network.transport,event.action\n" +
        rows.map((r) => r.map((v) => v ?? "").join(",")).join("\n") + "\n";
      const ndjson = rows.map(([t, si, sp, di, dp, tr, a]) => JSON.stringify({
        "@timestamp": t, source: { ip: si, port: sp }, destination: { ip: di, port: dp }, network: { transport: tr }, event: { action: a, outcome: "unknown" },
      })).join("\n") + "\n";
      const dir = tmpFiles({ "ecs.csv": csv, "ecs.ndjson": ndjson });
      const want = await native(s, join(dir, "ecs.csv"));
      const got = await engine(s, e, join(dir, "ecs.ndjson"));
      expect(got.inputs[0]!.format).toBe("json (ecs)");
      expect(findings(got)).toEqual(findings(want));
      expect(want.findings.some((f) => f.protocol === "icmp" && f.icmpType === null)).toBe(true);
    });

    it("nfdump without a forwarding status (softflowd's fwd 0) is refused, not a green run of inconclusive flows", async () => {
      const s = setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map());
      // The native path pairs both directions and finds the refused WinRM, RPC, NetBIOS and Kerberos
      // attempts of the lab capture (6 violations); the query cannot pair, so it must not answer.
      const want = await native(s, "fixtures/engine/nfdump-lab.csv");
      expect(want.summary["blocked-required"]).toBe(5);
      for (const f of ["fixtures/engine/nfdump-lab.csv", "fixtures/engine/nfdump-lab.json"]) {
        await expect(engine(s, e, f)).rejects.toThrow(new RegExp(`^${f.replace(/[.]/g, "\\.")}: 23 flow records with both ends in the inventory carry no forwarding status .*run check without --engine`));
      }
    });

    it("nfdump with a forwarding status: the action from it (RFC 7270), CSV and JSON alike, NetFlow's ICMP type from the port", async () => {
      const s = setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map());
      // The lab's real export, as an exporter that reports its decisions writes it: the RST-answered
      // WinRM flows dropped (fwd 128), everything else forwarded (64).
      const { readFileSync } = await import("node:fs");
      const fwdOf = (dst: string, dp: string, sp: string) => (dst === "10.99.2.10" && (dp === "5985" || dp === "5986")) || (sp === "5985" || sp === "5986") ? 128 : 64;
      const csvLines = readFileSync("fixtures/engine/nfdump-lab.csv", "utf8").split("\n").map((l) => {
        const c = l.split(",");
        if (!/^[0-9]{4}-/.test(c[0] ?? "")) return l;
        c[9] = String(fwdOf(c[4]!, c[6]!, c[5]!));
        return c.join(",");
      });
      const records = JSON.parse(readFileSync("fixtures/engine/nfdump-lab.json", "utf8")) as Record<string, unknown>[];
      for (const r of records) r.fwd_status = fwdOf(String(r.dst4_addr), String(r.dst_port), String(r.src_port));
      const jsonLines = JSON.stringify(records, null, 2);
      const dir = tmpFiles({ "fwd.csv": csvLines.join("\n"), "fwd.json": jsonLines });
      const fromCsv = await engine(s, e, join(dir, "fwd.csv"));
      const fromJson = await engine(s, e, join(dir, "fwd.json"));
      expect(fromCsv.inputs[0]!.format).toBe("csv (nfdump)");
      expect(fromJson.inputs[0]!.format).toBe("json (nfdump)");
      // 31 flows, one an ICMP error (type 3 code 13: 781 = 3 << 8 | 13); the three lines of the summary
      // nfdump prints after them are no flows.
      expect(fromCsv.inputs[0]!.records).toEqual({ read: 35, used: 30, skipped: 5 });
      expect(fromCsv.inputs[0]!.skippedByReason).toEqual({ header: 1, "icmp-error": 1, "nfdump-summary": 3 });
      expect(fromJson.inputs[0]!.records).toEqual({ read: 31, used: 30, skipped: 1 });
      // (nfdump prints CSV times to the second, JSON times to the millisecond; the labels name the field.)
      const strip = (r: Report) => findings(r).map((f) => ({ ...f, evidence: [], firstSeen: f.firstSeen?.slice(0, 19), lastSeen: f.lastSeen?.slice(0, 19) }));
      expect(strip(fromCsv)).toEqual(strip(fromJson));
      const winrm = fromCsv.findings.filter((f) => f.dst === "10.99.2.10" && (f.port === 5985 || f.port === 5986));
      expect(winrm.map((f) => [f.verdict, f.evidence])).toEqual([["blocked-required", ["fwd 128"]], ["blocked-required", ["fwd 128"]]]);
      expect(fromCsv.findings.find((f) => f.dst === "10.99.2.10" && f.port === 445)?.verdict).toBe("allowed-required");
      // ICMP echo request (dp 2048 = type 8 << 8), and the RST answering a WinRM SYN counted for the SYN's flow.
      expect(fromCsv.findings.find((f) => f.src === "10.99.1.100" && f.protocol === "icmp")?.icmpType).toBe(8);
      expect(fromCsv.findings.some((f) => f.src === "10.99.1.200" && f.dst === "10.99.2.10" && f.port === 5986 && f.count === 2)).toBe(true);
    });

    it("a JSON input with a damaged line stops the engine with one line naming the file", async () => {
      await expect(engine(setup(), e, `${ZEEK}handmade/conn-states.json`)).rejects.toThrow(/conn-states\.json/);
    });

    it("a Zeek log without #fields is refused with the reason", async () => {
      await expect(engine(setup(), e, `${ZEEK}handmade/no-header.conn.log`)).rejects.toThrow(/without a #fields line/);
    });
  });
}
