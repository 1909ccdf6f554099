/**
 * DNS query for the root zone's NS records (RFC 1035 section 4.1). Recursion desired is off, so a
 * resolver answers from what it has (or refuses) instead of asking the Internet on our behalf: any
 * reply proves the port answers.
 */
export const RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"] as const;

export function dnsQuery(id: number): Buffer {
  const b = Buffer.alloc(17);
  b.writeUInt16BE(id & 0xffff, 0); // ID
  b.writeUInt16BE(0x0000, 2); // QR=0 query, OPCODE=0, RD=0
  b.writeUInt16BE(1, 4); // QDCOUNT
  // ANCOUNT, NSCOUNT, ARCOUNT = 0; QNAME "." is the single root label (a zero byte) at 12
  b.writeUInt16BE(2, 13); // QTYPE NS
  b.writeUInt16BE(1, 15); // QCLASS IN
  return b;
}

/** "NOERROR, 13 answers", or why the datagram is not a reply to our query. */
export function describeDnsReply(r: Uint8Array, id: number): string {
  if (r.length < 12) return `not a DNS reply: ${r.length} bytes`;
  const rid = (r[0]! << 8) | r[1]!;
  const flags = (r[2]! << 8) | r[3]!;
  if ((flags & 0x8000) === 0) return "not a DNS reply: QR bit clear";
  if (rid !== (id & 0xffff)) return `a DNS reply with another ID (0x${rid.toString(16).padStart(4, "0")})`;
  const rcode = flags & 0x0f;
  const an = (r[6]! << 8) | r[7]!;
  const ns = (r[8]! << 8) | r[9]!;
  const name = RCODES[rcode] ?? `RCODE${rcode}`;
  return `${name}, ${an} answer${an === 1 ? "" : "s"}${ns > 0 ? `, ${ns} authority` : ""}`;
}
