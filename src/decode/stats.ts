/**
 * Per-input accounting. Every record a decoder reads ends up either used (it became an event) or
 * skipped with a reason code, so that read = used + sum(skipped by reason) always holds.
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
  /** Bytes consumed from the (decompressed) input. */
  bytes = 0;
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
    this.skippedByReason.set(reason, (this.skippedByReason.get(reason) ?? 0) + 1);
    this.onSkip?.(reason, position, text);
    if (this.samples.length < MAX_SKIP_SAMPLES) {
      const sample: SkipSample = { position, reason };
      if (text !== undefined) sample.text = text.length > 200 ? text.slice(0, 200) : text;
      this.samples.push(sample);
    }
  }

  /** Count one record read and used. */
  use(): void {
    this.read++;
    this.used++;
  }

  /** A record counted as used was later found to be no flow (for example an ICMP error): move it. */
  reclassify(reason: string, position: number): void {
    this.used--;
    this.read--;
    this.skip(reason, position);
  }

  skippedObject(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of [...this.skippedByReason.entries()].sort((a, b) => a[0].localeCompare(b[0]))) out[k] = v;
    return out;
  }
}
