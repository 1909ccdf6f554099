/**
 * Flow records that arrive as text (nfdump's CSV and JSON output): the same checks and skip reasons as
 * every text format (text-format.ts writeFlow), plus the flow-only extras (records.ts).
 */
import { DEFAULT_BATCH_CAPACITY, NONE, PROTO_TCP, type EventBatch } from "../batch.js";
import { writeFlow, type FlowFields } from "../log/text-format.js";
import { createFlowExtras, resetExtras, type FlowExtras } from "./records.js";

export interface TextFlow extends FlowFields {
  /** TCP flags byte, or NONE. */
  flags: number;
  packets: number;
  /** Packets of the reverse direction in the same record (nfdump's opkt of a biflow), NaN when none. */
  revPackets: number;
  endTime: number;
  /** The record states the decision (an NSEL event). */
  decided: boolean;
}

/** Extras for a line decoder's batch (createLineDecoder uses DEFAULT_BATCH_CAPACITY). */
export function textFlowExtras(): FlowExtras {
  return createFlowExtras(DEFAULT_BATCH_CAPACITY);
}

/** Validate and write one flow record with its extras. Returns a skip reason, or undefined when written. */
export function writeTextFlow(batch: EventBatch, x: FlowExtras, lineNo: number, f: TextFlow): string | undefined {
  const i = batch.length;
  const why = writeFlow(batch, lineNo, f);
  if (why !== undefined) return why;
  resetExtras(x, i);
  if (batch.proto[i] === PROTO_TCP) batch.tcpFlags[i] = f.flags;
  else batch.tcpFlags[i] = NONE;
  x.packets[i] = f.packets;
  x.revPackets[i] = f.revPackets;
  x.endTime[i] = f.endTime;
  x.decided[i] = f.decided ? 1 : 0;
  return undefined;
}

/**
 * nfdump's local-time stamps ("2026-11-23 05:10:47", "2026-11-23T05:10:47.716") carry no zone; they
 * are read as UTC (run nfdump with TZ=UTC for exact times). NaN for nfdump's "no time" (the epoch).
 */
export function nfdumpTime(s: string | undefined): number {
  if (s === undefined) return NaN;
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?$/.exec(s.trim());
  if (!m) return NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] !== undefined ? Number(m[7].padEnd(3, "0")) : 0);
  return ms === 0 ? NaN : ms;
}
