import { DEFAULT_FLOW_EXPORT_PORTS } from "../flow/ports.js";
import type { ActionMapEntry } from "./action-words.js";

/** What a user can tell the log decoders. */
export interface DecodeOptions {
  /** Own prefixes -> actions, tried before the built-in words. */
  actionMap: readonly ActionMapEntry[];
  /** Year for syslog timestamps that carry none. */
  year: number;
  /** "Now", to roll a year back for stamps in the future. */
  nowMs: number;
  /** Generic CSV: field -> column name (src, dst, sport, dport, proto, action, time). */
  csvColumns: Readonly<Record<string, string>>;
  /** UDP ports whose datagrams in a capture are read as NetFlow/IPFIX exports (`--netflow-port`). */
  flowExportPorts: readonly number[];
}

export function defaultDecodeOptions(now = Date.now()): DecodeOptions {
  return { actionMap: [], year: new Date(now).getUTCFullYear(), nowMs: now, csvColumns: {}, flowExportPorts: DEFAULT_FLOW_EXPORT_PORTS };
}
