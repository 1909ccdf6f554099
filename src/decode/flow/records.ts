/**
 * Flow records as every flow source writes them (NetFlow v5/v9, IPFIX, nfdump's CSV and JSON): the
 * 5-tuple, first-packet time, TCP flags and action go into the usual EventBatch slot; what only flow
 * records carry (packet counts of both directions, the reverse direction's flags, the end time, whether
 * the record itself states the firewall's decision) goes into FlowExtras at the same index. The pairing
 * stage (src/flow/flow-pairing.ts) reads both to turn records into connections with an outcome.
 */
import { NONE, createBatch, type EventBatch } from "../batch.js";
import type { Decoder } from "../decoder.js";

export interface FlowExtras {
  /** Packets of the record's own direction; NaN when the record does not say. */
  readonly packets: Float64Array;
  /**
   * Packets of the reverse direction carried in the same record (an IPFIX biflow, RFC 5103; NSEL
   * responder packets); NaN when the record is one direction only.
   */
  readonly revPackets: Float64Array;
  /** TCP flags of the reverse direction (biflow), or NONE. */
  readonly revFlags: Int16Array;
  /** Time of the last packet, ms since the epoch, or NaN. */
  readonly endTime: Float64Array;
  /**
   * 1 when the record states the decision itself (a Cisco NSEL firewall event, an IPFIX
   * forwardingStatus): the action is final and the record is not paired with others.
   */
  readonly decided: Uint8Array;
}

export function createFlowExtras(capacity: number): FlowExtras {
  return {
    packets: new Float64Array(capacity),
    revPackets: new Float64Array(capacity),
    revFlags: new Int16Array(capacity),
    endTime: new Float64Array(capacity),
    decided: new Uint8Array(capacity),
  };
}

/** Neutral extras for slot i (call with `reserve`). */
export function resetExtras(x: FlowExtras, i: number): void {
  x.packets[i] = NaN;
  x.revPackets[i] = NaN;
  x.revFlags[i] = NONE;
  x.endTime[i] = NaN;
  x.decided[i] = 0;
}

/** A batch and its extras, filled together, index by index. */
export interface FlowRecordBatch {
  readonly batch: EventBatch;
  readonly extras: FlowExtras;
}

export function createFlowRecordBatch(capacity?: number): FlowRecordBatch {
  const batch = createBatch(capacity);
  return { batch, extras: createFlowExtras(batch.capacity) };
}

/**
 * A decoder of flow records: `extras` holds the extras of the batch being emitted, valid during the
 * `emit` call (the pairing stage reads them there).
 */
export interface FlowRecordDecoder extends Decoder {
  readonly extras: FlowExtras;
}

/** TCP flags as nfdump prints them ("...AP.SF": CWR ECE URG ACK PSH RST SYN FIN, a dot for each unset). */
export function parseNfdumpFlags(s: string): number {
  const t = s.trim();
  if (t.length !== 8) {
    // Some versions print the flag byte as a number when it has bits beyond these eight.
    return /^(0x[0-9a-f]+|\d+)$/i.test(t) ? Number(t) & 0xff : NONE;
  }
  let f = 0;
  for (let k = 0; k < 8; k++) if (t[k] !== ".") f |= 0x80 >> k;
  return f;
}
