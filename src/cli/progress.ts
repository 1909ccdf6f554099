/**
 * A progress line on stderr for long runs: files done, bytes, records per second, ETA. Only when stderr
 * is a terminal and not --quiet; redrawn at most four times a second; cleared at the end.
 */
import { statSync } from "node:fs";
import type { InputResult } from "../pipeline/run.js";

export class Progress {
  private readonly total: number;
  private readonly start = Date.now();
  private last = 0;
  private bytes = 0;
  private done = 0;
  private current: string | undefined;
  private drawn = false;

  constructor(private readonly paths: readonly string[], private readonly write: (s: string) => void) {
    let t = 0;
    for (const p of paths) t += p === "-" ? 0 : (statSync(p, { throwIfNoEntry: false })?.size ?? 0);
    this.total = t;
  }

  /** Called after each chunk with the raw (on-disk) bytes it advanced. */
  chunk(input: InputResult, rawBytes: number): void {
    if (this.current !== input.path) {
      if (this.current !== undefined) this.done++;
      this.current = input.path;
    }
    this.bytes += rawBytes;
    const now = Date.now();
    if (now - this.last < 250) return;
    this.last = now;
    const secs = Math.max(0.001, (now - this.start) / 1000);
    const rate = input.stats.read / secs;
    const eta = this.total > 0 && this.bytes > 0 ? ((this.total - this.bytes) * secs) / this.bytes : NaN;
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    const etaText = Number.isFinite(eta) ? `, ETA ${Math.floor(eta / 60)}:${String(Math.round(eta % 60)).padStart(2, "0")}` : "";
    this.write(`\r\x1b[2Kfiles ${this.done}/${this.paths.length}, ${mb(this.bytes)}${this.total ? ` of ${mb(this.total)}` : ""}, ${(rate / 1e6).toFixed(2)} M records/s${etaText}`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.write("\r\x1b[2K");
  }
}
