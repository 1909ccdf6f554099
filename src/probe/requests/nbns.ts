/**
 * NetBIOS node status request (RFC 1002 section 4.2.17, NBSTAT): the question name "*" padded with
 * zeros, first-level encoded (RFC 1001 section 14.1), unicast. `nmblookup -A` sends the same; Windows
 * and Samba nmbd answer with the node's name table.
 */
export function nbstatQuery(trid: number): Buffer {
  const b = Buffer.alloc(50);
  b.writeUInt16BE(trid & 0xffff, 0); // NAME_TRN_ID
  b.writeUInt16BE(0x0000, 2); // query, opcode 0, no broadcast
  b.writeUInt16BE(1, 4); // QDCOUNT
  b[12] = 32; // one label of 32 encoded bytes
  const name = Buffer.alloc(16);
  name[0] = 0x2a; // "*"
  for (let i = 0; i < 16; i++) {
    b[13 + 2 * i] = 0x41 + (name[i]! >> 4);
    b[14 + 2 * i] = 0x41 + (name[i]! & 0x0f);
  }
  b[45] = 0; // end of name
  b.writeUInt16BE(0x0021, 46); // QUESTION_TYPE NBSTAT
  b.writeUInt16BE(0x0001, 48); // QUESTION_CLASS IN
  return b;
}

/** "name status: FS01, 6 names", or why the datagram is not a reply to our request. */
export function describeNbstatReply(r: Uint8Array, trid: number): string {
  if (r.length < 12) return `not a NetBIOS name service reply: ${r.length} bytes`;
  const id = (r[0]! << 8) | r[1]!;
  const flags = (r[2]! << 8) | r[3]!;
  if ((flags & 0x8000) === 0) return "not a NetBIOS name service reply: R bit clear";
  if (id !== (trid & 0xffff)) return `a NetBIOS reply with another transaction id (0x${id.toString(16).padStart(4, "0")})`;
  const rcode = flags & 0x0f;
  if (rcode !== 0) return `name status error, RCODE ${rcode}`;
  const an = (r[6]! << 8) | r[7]!;
  if (an < 1) return "name status reply without an answer";
  // Answer name: a pointer (two bytes) or the 34-byte encoded name; then TYPE, CLASS, TTL, RDLENGTH.
  let off = 12;
  if (off >= r.length) return "name status reply, cut short";
  if ((r[off]! & 0xc0) === 0xc0) off += 2;
  else {
    while (off < r.length && r[off] !== 0) off += 1 + r[off]!;
    off += 1;
  }
  off += 10;
  if (off + 1 > r.length) return "name status reply, cut short";
  const n = r[off]!;
  off += 1;
  let first: string | undefined;
  for (let i = 0; i < n && off + 18 <= r.length; i++, off += 18) {
    const suffix = r[off + 15]!;
    const group = (r[off + 16]! & 0x80) !== 0;
    if (first === undefined && suffix === 0x00 && !group) {
      first = String.fromCharCode(...r.subarray(off, off + 15)).trimEnd().replace(/[^\x20-\x7e]/g, "?");
    }
  }
  return `name status: ${first !== undefined ? `${first}, ` : ""}${n} name${n === 1 ? "" : "s"}`;
}
