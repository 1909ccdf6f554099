/**
 * Per-input accounting. Every record a decoder reads ends up either used (it became an event) or
 * skipped with a reason code, so that read = used + sum(skipped by reason) always holds.
 *
 * Flows are counted beside records, for the records that hold several (an Azure NSG record's flow
 * tuples, a Check Point drop record's packets, a JSON line holding many entries): every flow such a
 * record holds is used or skipped with its own reason, so that flows read = flows used + sum(flows
 * skipped by reason) holds too, and a record used for 2 of its 5 flows loses none of the other 3 in
 * silence. A record that is one flow counts as one flow when used, and only as a record when skipped.
 */

export interface SkipSample {
  /** 1-based line for text inputs, byte offset for binary inputs. */
  position: number;
  reason: string;
  /** The start of the offending record (text inputs), cut to 200 characters. */
  text?: string;
}

export const MAX_SKIP_SAMPLES = 5;

export class InputStats {
  read = 0;
  used = 0;
  readonly skippedByReason = new Map<string, number>();
  readonly samples: SkipSample[] = [];
  /** Where each skip reason was first seen (a format's cut reasons are reported at it). */
  readonly firstPosition = new Map<string, number>();
  /** Flows of the records above (see the top of this file). */
  flowsRead = 0;
  flowsUsed = 0;
  readonly flowsSkippedByReason = new Map<string, number>();
  /** Bytes consumed from the (decompressed) input. */
  bytes = 0;
  /**
   * Things read that are not records and not skips, counted by kind: datagrams of a flow export, templates
   * received, template misses, fields of a record left unread (an enterprise-specific IPFIX field). They
   * are not part of read = used + skipped.
   */
  readonly notes = new Map<string, number>();
  /** Told about every skipped record (not only the first few kept as samples), e.g. for `events --skipped`. */
  onSkip: ((reason: string, position: number, text?: string) => void) | undefined = undefined;

  get skipped(): number {
    let n = 0;
    for (const v of this.skippedByReason.values()) n += v;
    return n;
  }

  /** Count one record read and skipped. */
  skip(reason: string, position: number, text?: string): void {
    this.read++;
    const n = this.skippedByReason.get(reason);
    this.skippedByReason.set(reason, (n ?? 0) + 1);
    if (n === undefined) this.firstPosition.set(reason, position);
    this.onSkip?.(reason, position, text);
    if (this.samples.length < MAX_SKIP_SAMPLES) {
      const sample: SkipSample = { position, reason };
      if (text !== undefined) sample.text = text.length > 200 ? text.slice(0, 200) : text;
      this.samples.push(sample);
    }
  }

  get flowsSkipped(): number {
    let n = 0;
    for (const v of this.flowsSkippedByReason.values()) n += v;
    return n;
  }

  /** Count `n` of something that is not a record (see `notes`). */
  note(kind: string, n = 1): void {
    this.notes.set(kind, (this.notes.get(kind) ?? 0) + n);
  }

  notesObject(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of [...this.notes.entries()].sort((a, b) => a[0].localeCompare(b[0]))) out[k] = v;
    return out;
  }

  /** Count one record read and used (it is one flow). */
  use(): void {
    this.read++;
    this.used++;
    this.flowsRead++;
    this.flowsUsed++;
  }

  /**
   * Count one record that holds several flows: `used` of them became events, and one skip reason for
   * each of the others. The record is used when any flow was; otherwise it is skipped with the first
   * flow's reason (`text` is then kept with the sample).
   */
  useFlows(used: number, skipped: readonly string[], position: number, text?: () => string): void {
    this.flowsRead += used + skipped.length;
    this.flowsUsed += used;
    for (const r of skipped) this.flowsSkippedByReason.set(r, (this.flowsSkippedByReason.get(r) ?? 0) + 1);
    if (used > 0) {
      this.read++;
      this.used++;
    } else {
      this.skip(skipped[0] ?? "no-flow", position, text?.());
    }
  }

  /** A record counted as used was later found to be no flow (for example an ICMP error): move it. */
  reclassify(reason: string, position: number): void {
    this.used--;
    this.read--;
    this.flowsUsed--;
    this.flowsRead--;
    this.skip(reason, position);
  }

  skippedObject(): Record<string, number> {
    return sortedObject(this.skippedByReason);
  }

  flowsSkippedObject(): Record<string, number> {
    return sortedObject(this.flowsSkippedByReason);
  }
}

function sortedObject(m: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of [...m.entries()].sort((a, b) => a[0].localeCompare(b[0]))) out[k] = v;
  return out;
}
