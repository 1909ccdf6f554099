/** Building pcapng blocks byte by byte for tests (draft-ietf-opsawg-pcapng section 3). */

export function u16(n: number, le: boolean): Buffer {
  const b = Buffer.alloc(2);
  if (le) b.writeUInt16LE(n);
  else b.writeUInt16BE(n);
  return b;
}

export function u32(n: number, le: boolean): Buffer {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(n >>> 0);
  else b.writeUInt32BE(n >>> 0);
  return b;
}

export function pad4(b: Buffer): Buffer {
  return b.length % 4 === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]);
}

export function block(type: number, body: Buffer, le: boolean): Buffer {
  const b = pad4(body);
  const len = b.length + 12;
  return Buffer.concat([u32(type, le), u32(len, le), b, u32(len, le)]);
}

export function option(code: number, value: Buffer, le: boolean): Buffer {
  return Buffer.concat([u16(code, le), u16(value.length, le), pad4(value)]);
}

export function shb(le: boolean, major = 1): Buffer {
  return block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d, le), u16(major, le), u16(0, le), Buffer.alloc(8, 0xff)]), le);
}

export function idb(linkType: number, le: boolean, opts: { tsresol?: number; tsoffset?: bigint; snaplen?: number } = {}): Buffer {
  const o: Buffer[] = [];
  if (opts.tsresol !== undefined) o.push(option(9, Buffer.from([opts.tsresol]), le));
  if (opts.tsoffset !== undefined) {
    const v = Buffer.alloc(8);
    if (le) v.writeBigInt64LE(opts.tsoffset);
    else v.writeBigInt64BE(opts.tsoffset);
    o.push(option(14, v, le));
  }
  if (o.length > 0) o.push(u32(0, le));
  return block(1, Buffer.concat([u16(linkType, le), u16(0, le), u32(opts.snaplen ?? 0, le), ...o]), le);
}

export function epb(iface: number, units: bigint, data: Buffer, le: boolean, capLen = data.length): Buffer {
  const hi = Number(units >> 32n);
  const lo = Number(units & 0xffffffffn);
  return block(6, Buffer.concat([u32(iface, le), u32(hi, le), u32(lo, le), u32(capLen, le), u32(data.length, le), pad4(data)]), le);
}

export function spb(data: Buffer, le: boolean): Buffer {
  return block(3, Buffer.concat([u32(data.length, le), data]), le);
}

/** A raw IPv4 UDP packet 192.0.2.1:1000 -> 192.0.2.2:<dport> with `payload` bytes of data. */
export function udp4(dport: number, payload = 4): Buffer {
  const total = 28 + payload;
  const p = Buffer.alloc(total);
  p[0] = 0x45;
  p.writeUInt16BE(total, 2);
  p[8] = 64;
  p[9] = 17;
  p.set([192, 0, 2, 1], 12);
  p.set([192, 0, 2, 2], 16);
  p.writeUInt16BE(1000, 20);
  p.writeUInt16BE(dport, 22);
  p.writeUInt16BE(8 + payload, 24);
  return p;
}

/** Offsets and lengths of every block of a pcapng file (a test-side walker, trusting the file). */
export function blocks(data: Buffer): { off: number; len: number; type: number }[] {
  const out: { off: number; len: number; type: number }[] = [];
  let le = true;
  let off = 0;
  while (off + 12 <= data.length) {
    if (data.readUInt32BE(off) === 0x0a0d0d0a) le = data.readUInt32LE(off + 8) === 0x1a2b3c4d;
    const type = le ? data.readUInt32LE(off) : data.readUInt32BE(off);
    const len = le ? data.readUInt32LE(off + 4) : data.readUInt32BE(off + 4);
    out.push({ off, len, type });
    off += len;
  }
  return out;
}
