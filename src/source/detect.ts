/**
 * Which format an input is in, from its first bytes (never from its name).
 * Binary captures by magic number; text logs by asking each format's sniffer about the first lines.
 */
import { isUtf32 } from "./encoding.js";

export interface Sniffer {
  name: string;
  /** True when the line belongs to this format. */
  sniff(line: string): boolean;
  /** Only the first meaningful line decides (a CSV header). */
  headerOnly?: boolean;
}

const MAX_LINES = 64;

/**
 * The bytes an input's format is recognised from: the first 64 KiB, whatever the source delivered at
 * once. A regular file's head is its first 1 MiB read, standard input's about 64 KiB (a pipe's chunks),
 * so detection looks at no more than both always have: the same bytes are recognised the same way as a
 * file and on `-`. It is also the head every input is read to before it is recognised (inputs.ts).
 */
export const DETECT_BYTES = 64 * 1024;

export function detectBinary(head: Buffer): "pcap" | "pcapng" | undefined {
  if (head.length < 4) return undefined;
  const m = head.readUInt32LE(0);
  // pcap: a1b2c3d4 (usec) / a1b23c4d (nsec), either byte order. pcapng: Section Header Block 0x0a0d0d0a.
  if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) return "pcap";
  if (m === 0x0a0d0d0a) return "pcapng";
  return undefined;
}

/**
 * Pick the text format whose sniffer recognises most of the first lines (ties go to the earlier
 * sniffer). Returns undefined for binary data or when no sniffer recognises any line.
 */
export function detectText(head: Buffer, sniffers: readonly Sniffer[]): string | undefined {
  const n = Math.min(head.length, DETECT_BYTES);
  // Binary data has many NUL bytes; a text log with a stray one (hostile or damaged) is still text.
  let nul = 0;
  for (let i = 0; i < n; i++) if (head[i] === 0) nul++;
  if (nul * 100 > n) return undefined;
  let text = head.toString("utf8", 0, n);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split("\n").slice(0, MAX_LINES).map((l) => l.replace(/\r$/, "")).filter((l) => l.trim() !== "");
  if (lines.length === 0) return undefined;
  const firstData = lines.find((l) => !l.startsWith("#"));
  let best: string | undefined;
  let bestScore = 0;
  for (const s of sniffers) {
    let score = 0;
    if (s.headerOnly) score = firstData !== undefined && s.sniff(firstData) ? 1 : 0;
    else for (const l of lines) if (s.sniff(l)) score++;
    if (score > bestScore) { best = s.name; bestScore = score; }
  }
  return best;
}

/** A file's start that matches no format: say what it looks like, for the error message. */
export function describeHead(head: Buffer): string {
  if (head.length === 0) return "the file is empty";
  if (isUtf32(head)) return "it is UTF-32 text, which is not read: convert it (`iconv -f UTF-32 -t UTF-8 FILE | portmatrix ... -`)";
  if (head.length >= 4) {
    const hex = head.subarray(0, 4).toString("hex");
    const sample = head.subarray(0, 64);
    let printable = 0;
    for (const c of sample) if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128) printable++;
    if (printable < sample.length * 0.75) return `it starts with bytes ${hex}`;
  }
  const first = head.toString("utf8", 0, Math.min(head.length, 200)).split("\n")[0] ?? "";
  // The line is the input's, shown in an error message: no control character may reach the terminal.
  // eslint-disable-next-line no-control-regex
  const shown = first.slice(0, 80).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return `its first line is "${shown}"`;
}
