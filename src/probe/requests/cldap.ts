/**
 * CLDAP "LDAP ping" (MS-ADTS section 6.3.3; LDAP over UDP, section 3.1.1.3.1.11): a searchRequest
 * (RFC 4511 section 4.5.1) of the rootDSE, scope base, for the attribute Netlogon, with the filter
 * (&(NtVer=\06\00\00\00)). NtVer 0x6 asks for the NETLOGON_SAM_LOGON_RESPONSE_EX structure; without a
 * DnsDomain clause the DC answers for its default naming context (MS-ADTS 6.3.3.2). This is the
 * request the Windows DC locator sends; a directory that is not a DC answers with searchResDone.
 */
import { children, derInt, readTlv, readUint, tlv, type Tlv } from "./der.js";

const str = (s: string | Uint8Array) => tlv(0x04, Buffer.from(s));

export function cldapPing(messageId: number): Buffer {
  const filter = tlv(0xa0, tlv(0xa3, str("NtVer"), str(Uint8Array.of(0x06, 0x00, 0x00, 0x00))));
  const search = tlv(
    0x63, // [APPLICATION 3] SearchRequest
    str(""), // baseObject: the rootDSE
    tlv(0x0a, Buffer.from([0])), // scope baseObject
    tlv(0x0a, Buffer.from([0])), // derefAliases neverDerefAliases
    derInt(0x02, 0), // sizeLimit
    derInt(0x02, 0), // timeLimit
    tlv(0x01, Buffer.from([0])), // typesOnly FALSE
    filter,
    tlv(0x30, str("Netlogon")),
  );
  return tlv(0x30, derInt(0x02, messageId), search);
}

/** LDAP resultCode names (RFC 4511 appendix A) for the codes a DC gives to a ping. */
const RESULT: Record<number, string> = { 0: "success", 1: "operationsError", 2: "protocolError", 32: "noSuchObject", 49: "invalidCredentials", 50: "insufficientAccessRights", 53: "unwillingToPerform" };

/**
 * "netlogon: DC dc01.corp.example.test, domain corp.example.test", "search done: success, no
 * entry", or why the datagram is not an LDAP reply to our request.
 */
export function describeCldapReply(r: Uint8Array, messageId: number): string {
  let off = 0;
  let entry: string | undefined;
  let done: string | undefined;
  let messages = 0;
  while (off < r.length) {
    const msg = readTlv(r, off, r.length);
    if (!msg || msg.tag !== 0x30) break;
    off = msg.end;
    const [id, op] = children(r, msg);
    if (!id || id.tag !== 0x02 || !op) break;
    messages++;
    if (readUint(r, id) !== messageId) return "an LDAP reply to another message id";
    if (op.tag === 0x64) entry = describeEntry(r, op);
    else if (op.tag === 0x65) {
      const code = children(r, op)[0];
      const n = code && code.tag === 0x0a ? readUint(r, code) ?? -1 : -1;
      done = RESULT[n] ?? `resultCode ${n}`;
    }
  }
  if (messages === 0) return `not an LDAP reply: ${r.length} bytes`;
  if (entry !== undefined) return entry;
  return done !== undefined ? `search done: ${done}, no entry` : "an LDAP reply without a search result";
}

/** SearchResultEntry: objectName, attributes SEQUENCE OF { type, vals SET OF value }. */
function describeEntry(r: Uint8Array, op: Tlv): string {
  const attrs = children(r, op)[1];
  if (!attrs || attrs.tag !== 0x30) return "an entry without attributes";
  for (const a of children(r, attrs)) {
    const [type, vals] = children(r, a);
    if (!type || !vals) continue;
    const name = Buffer.from(r.subarray(type.start, type.end)).toString("latin1").toLowerCase();
    const v = children(r, vals)[0];
    if (name !== "netlogon" || !v) continue;
    return describeNetlogon(r.subarray(v.start, v.end));
  }
  return "rootDSE entry without netlogon";
}

/**
 * NETLOGON_SAM_LOGON_RESPONSE_EX (MS-ADTS 6.3.1.9): opcode, Sbz, flags, DomainGuid, then names
 * compressed as in DNS (RFC 1035 4.1.4) with pointers relative to the structure's start:
 * DnsForestName, DnsDomainName, DnsHostName, ...
 */
export function describeNetlogon(n: Uint8Array): string {
  if (n.length < 24) return `netlogon reply (${n.length} bytes)`;
  const opcode = n[0]! | (n[1]! << 8);
  if (opcode !== 23 && opcode !== 25) return `netlogon reply (opcode ${opcode})`;
  let off = 24;
  const names: string[] = [];
  for (let k = 0; k < 3; k++) {
    const got = readCompressedName(n, off);
    if (!got) return "netlogon reply (names unreadable)";
    names.push(got.name);
    off = got.next;
  }
  return `netlogon: DC ${names[2]}, domain ${names[1]}`;
}

function readCompressedName(b: Uint8Array, start: number): { name: string; next: number } | undefined {
  const labels: string[] = [];
  let off = start;
  let next = -1;
  for (let hops = 0; hops < 32; hops++) {
    if (off >= b.length) return undefined;
    const len = b[off]!;
    if (len === 0) {
      return { name: labels.join(".").replace(/[^\x21-\x7e]/g, "?"), next: next < 0 ? off + 1 : next };
    }
    if ((len & 0xc0) === 0xc0) {
      if (off + 1 >= b.length) return undefined;
      if (next < 0) next = off + 2;
      off = ((len & 0x3f) << 8) | b[off + 1]!;
      continue;
    }
    if (len > 63 || off + 1 + len > b.length) return undefined;
    labels.push(String.fromCharCode(...b.subarray(off + 1, off + 1 + len)));
    off += 1 + len;
  }
  return undefined;
}
