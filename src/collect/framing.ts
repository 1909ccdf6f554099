/**
 * Syslog over TCP (RFC 6587): each connection carries messages either octet-counted ("LEN SP MSG",
 * section 3.4.1, as RFC 5425 and rsyslog's and logger's --octet-count send them) or ended by a line
 * feed ("non-transparent framing", section 3.4.2), which a sender may choose per message; a message
 * that opens with a digit is octet-counted. A pure state machine over chunks: no message may grow past
 * `maxMessage` bytes (a longer one is dropped whole and reported once), so one connection holds at most
 * that much.
 */

export interface FramerSink {
  message(text: Buffer): void;
  /** A message that was dropped: "message-too-long", "bad-octet-count". */
  dropped(reason: string): void;
}

export class SyslogFramer {
  /** Bytes of the message being read (LF framing) or of the count's digits (octet counting). */
  private buf: Buffer;
  private len = 0;
  /** Octet counting: bytes still to come of the current message, -1 when reading a count or LF framing. */
  private remaining = -1;
  private mode: "start" | "count" | "octets" | "line" | "discard-line" | "discard-octets" = "start";

  constructor(private readonly sink: FramerSink, private readonly maxMessage: number) {
    this.buf = Buffer.alloc(Math.min(maxMessage, 4096));
  }

  private append(chunk: Buffer, s: number, e: number): void {
    const need = this.len + (e - s);
    if (need > this.buf.length) {
      const grown = Buffer.alloc(Math.min(this.maxMessage, Math.max(need, this.buf.length * 2)));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    chunk.copy(this.buf, this.len, s, e);
    this.len = need;
  }

  private emit(): void {
    let n = this.len;
    // A line ended by CR LF: the CR is framing too.
    if (this.mode === "line" && n > 0 && this.buf[n - 1] === 13) n--;
    if (n > 0) this.sink.message(Buffer.from(this.buf.subarray(0, n)));
    this.len = 0;
    this.mode = "start";
  }

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      const c = chunk[i]!;
      switch (this.mode) {
        case "start":
          if (c === 10 || c === 13 || c === 0) { i++; break; }
          this.mode = c >= 48 && c <= 57 ? "count" : "line";
          this.len = 0;
          break;
        case "count":
          if (c >= 48 && c <= 57) {
            if (this.len >= 9) { this.sink.dropped("bad-octet-count"); this.mode = "discard-line"; break; }
            this.append(chunk, i, i + 1);
            i++;
          } else if (c === 32) {
            const n = Number(this.buf.toString("latin1", 0, this.len));
            this.len = 0;
            i++;
            if (n === 0) { this.mode = "start"; break; }
            if (n > this.maxMessage) { this.sink.dropped("message-too-long"); this.remaining = n; this.mode = "discard-octets"; break; }
            this.remaining = n;
            this.mode = "octets";
          } else {
            // Digits then no space: a line-framed message that starts with a digit.
            this.mode = "line";
          }
          break;
        case "octets": {
          const take = Math.min(this.remaining, chunk.length - i);
          this.append(chunk, i, i + take);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.emit();
          break;
        }
        case "discard-octets": {
          const take = Math.min(this.remaining, chunk.length - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.mode = "start";
          break;
        }
        case "line": {
          const nl = chunk.indexOf(10, i);
          const stop = nl < 0 ? chunk.length : nl;
          if (this.len + (stop - i) > this.maxMessage) {
            this.sink.dropped("message-too-long");
            this.len = 0;
            this.mode = "discard-line";
            break;
          }
          this.append(chunk, i, stop);
          i = stop;
          if (nl >= 0) { i++; this.emit(); }
          break;
        }
        case "discard-line": {
          const nl = chunk.indexOf(10, i);
          if (nl < 0) { i = chunk.length; break; }
          i = nl + 1;
          this.mode = "start";
          break;
        }
      }
    }
  }

  /** The connection closed: a line without its line feed is still a message; a cut octet-counted one is not. */
  end(): void {
    if (this.mode === "line" && this.len > 0) this.emit();
    else if (this.mode === "octets") this.sink.dropped("truncated-message");
    this.mode = "start";
    this.len = 0;
  }
}
