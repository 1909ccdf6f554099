/**
 * NTP client request (RFC 5905 section 7.3): 48 bytes, LI 0, version 4, mode 3 (client). The transmit
 * timestamp is random, as RFC 9109's data minimisation suggests; the server copies it into the reply's
 * origin timestamp, which is how a reply is matched to this request.
 */
export function ntpRequest(transmit: Uint8Array): Buffer {
  const b = Buffer.alloc(48);
  b[0] = (0 << 6) | (4 << 3) | 3;
  Buffer.from(transmit.subarray(0, 8)).copy(b, 40);
  return b;
}

/** "stratum 2", "kiss-o'-death RATE", or why the datagram is not a reply to our request. */
export function describeNtpReply(r: Uint8Array, transmit: Uint8Array): string {
  if (r.length < 48) return `not an NTP reply: ${r.length} bytes`;
  const mode = r[0]! & 0x07;
  if (mode !== 4) return `not an NTP server reply (mode ${mode})`;
  let same = true;
  for (let i = 0; i < 8; i++) if (r[24 + i] !== transmit[i]) same = false;
  const stratum = r[1]!;
  // Stratum 0 is a kiss-o'-death packet; its reference ID is four ASCII letters (RFC 5905 section 7.4).
  const what = stratum === 0
    ? `kiss-o'-death ${String.fromCharCode(...r.subarray(12, 16)).replace(/[^\x20-\x7e]/g, "?")}`
    : `stratum ${stratum}`;
  return same ? what : `${what}, origin timestamp not ours`;
}
