/**
 * nfdump's CSV output (`nfdump -r FILE -o csv`, nfdump 1.7: src/output/output_csv.c): a header line
 * "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,...", one row per flow record, then a
 * "Summary" block. With `-q` the header and the summary are left out; rows are then read in the 1.7
 * column order. ICMP records carry type * 256 + code in `dp`. The CSV has no NSEL event columns: an
 * NSEL export read this way gets its outcome from the pairing stage like any flow (`-o json` keeps
 * the event).
 */
import { ACTION_UNKNOWN, PROTO_ICMP, PROTO_ICMPV6, protocolNumber, type EventBatch } from "../batch.js";
import type { InputStats } from "../stats.js";
import { createLineDecoder, lineText, type LineFormat } from "./lines.js";
import { parseNfdumpFlags, type FlowRecordDecoder } from "../flow/records.js";
import { nfdumpTime, textFlowExtras, writeTextFlow } from "../flow/text-flows.js";
import type { FormatRecord } from "../format.js";

/** The columns of nfdump 1.7's CSV, for rows without a header (`-q`). */
export const NFDUMP_CSV_COLUMNS = "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr".split(",");

const ROW = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?,-?[\d.]+,/;

export function sniffNfdumpCsv(line: string): boolean {
  return line.startsWith("ts,te,td,sa,da,sp,dp,pr,") || ROW.test(line);
}

class NfdumpCsvFormat implements LineFormat {
  readonly format = "nfdump-csv";
  readonly extras = textFlowExtras();
  private columns: Map<string, number> = new Map(NFDUMP_CSV_COLUMNS.map((c, i) => [c, i]));
  /** Inside the trailing "Summary" block. */
  private summary = false;

  line(b: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats): boolean {
    const text = b.toString("utf8", start, end);
    if (text.trim() === "") { stats.skip("blank", lineNo); return true; }
    if (text.startsWith("ts,te,")) {
      this.columns = new Map(text.split(",").map((c, i) => [c.trim(), i]));
      this.summary = false;
      stats.skip("header", lineNo);
      return true;
    }
    if (text === "Summary" || text.startsWith("flows,bytes,packets") || this.summary || text === "No matching flows") {
      // The summary block: a title, a header and one row of totals.
      this.summary = text !== "No matching flows";
      stats.skip("summary", lineNo);
      return true;
    }
    if (!ROW.test(text)) { stats.skip("not-nfdump-csv", lineNo, lineText(b, start, end)); return true; }
    const v = text.split(",");
    const col = (name: string) => {
      const i = this.columns.get(name);
      return i === undefined ? undefined : v[i]?.trim();
    };
    const protoText = col("pr") ?? "";
    const proto = protocolNumber(protoText);
    const dp = col("dp");
    const isIcmp = proto === PROTO_ICMP || proto === PROTO_ICMPV6;
    let icmpType: number | undefined;
    let icmpCode: number | undefined;
    if (isIcmp && dp !== undefined) {
      // "2048" (type * 256 + code) in 1.7; "8.0" in other versions.
      const dot = /^(\d+)\.(\d+)$/.exec(dp);
      if (dot) { icmpType = Number(dot[1]); icmpCode = Number(dot[2]); }
      else if (/^\d+$/.test(dp)) { icmpType = Number(dp) >> 8; icmpCode = Number(dp) & 0xff; }
    }
    const opkt = Number(col("opkt") ?? "NaN");
    const why = writeTextFlow(batch, this.extras, lineNo, {
      src: col("sa") ?? "", dst: col("da") ?? "", proto: proto ?? protoText, sport: col("sp"), dport: dp, icmpType, icmpCode,
      action: ACTION_UNKNOWN, label: "nfdump csv", time: nfdumpTime(col("ts")),
      flags: parseNfdumpFlags(col("flg") ?? ""), packets: Number(col("ipkt") ?? "NaN"),
      // nfdump prints opkt 0 for a one-direction record: only a positive count is a reverse direction.
      revPackets: opkt > 0 ? opkt : NaN, endTime: nfdumpTime(col("te")), decided: false,
    });
    if (why === undefined) stats.use();
    else stats.skip(why, lineNo, why.startsWith("icmp") ? undefined : lineText(b, start, end));
    return true;
  }
}

export function createNfdumpCsvDecoder(): FlowRecordDecoder {
  const fmt = new NfdumpCsvFormat();
  return Object.assign(createLineDecoder(fmt), { extras: fmt.extras });
}

export const nfdumpCsvFormat: FormatRecord = {
  name: "nfdump-csv",
  stage: "flow-records",
  sniffLine: sniffNfdumpCsv,
  create: () => createNfdumpCsvDecoder(),
  doc: { detectedBy: "`ts,te,td,sa,da,sp,dp,pr,` header or its rows", notes: "`nfdump -o csv` (1.7): flows paired like exports; times to the second, as nfdump prints them; no NSEL events in this output" },
};
