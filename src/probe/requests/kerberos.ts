/**
 * A minimal Kerberos AS-REQ (RFC 4120 section 5.4.1) for a principal no KDC has: any KDC answers it
 * with a KRB-ERROR (section 5.9.1), usually C_PRINCIPAL_UNKNOWN or WRONG_REALM, and that answer is all
 * a probe needs. No pre-authentication data, nothing secret.
 */
import { children, derInt, readTlv, readUint, tlv } from "./der.js";

export const PROBE_REALM = "PORTMATRIX.INVALID";
export const PROBE_CLIENT = "portmatrix-probe";

const gstr = (s: string) => tlv(0x1b, Buffer.from(s, "ascii")); // KerberosString: GeneralString
const principal = (type: number, ...names: string[]) =>
  tlv(0x30, tlv(0xa0, derInt(0x02, type)), tlv(0xa1, tlv(0x30, ...names.map(gstr))));

export function asReq(nonce: number): Buffer {
  const body = tlv(
    0x30,
    tlv(0xa0, tlv(0x03, Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10]))), // kdc-options: renewable-ok
    tlv(0xa1, principal(1, PROBE_CLIENT)), // cname, NT-PRINCIPAL
    tlv(0xa2, gstr(PROBE_REALM)), // realm
    tlv(0xa3, principal(2, "krbtgt", PROBE_REALM)), // sname, NT-SRV-INST
    tlv(0xa5, tlv(0x18, Buffer.from("20370913024805Z", "ascii"))), // till
    tlv(0xa7, derInt(0x02, nonce & 0x7fffffff)), // nonce (UInt32; kept below 2^31 for KDCs that read Int32)
    tlv(0xa8, tlv(0x30, derInt(0x02, 18), derInt(0x02, 17), derInt(0x02, 23))), // aes256, aes128, rc4
  );
  const req = tlv(0x30, tlv(0xa1, derInt(0x02, 5)), tlv(0xa2, derInt(0x02, 10)), tlv(0xa4, body));
  return tlv(0x6a, req); // [APPLICATION 10] AS-REQ
}

/** Error codes (RFC 4120 section 7.5.9) a KDC gives to this request, by name. */
const ERRORS: Record<number, string> = {
  6: "KDC_ERR_C_PRINCIPAL_UNKNOWN", 7: "KDC_ERR_S_PRINCIPAL_UNKNOWN", 14: "KDC_ERR_ETYPE_NOSUPP",
  24: "KDC_ERR_PREAUTH_FAILED", 25: "KDC_ERR_PREAUTH_REQUIRED", 37: "KRB_AP_ERR_SKEW",
  52: "KRB_ERR_RESPONSE_TOO_BIG", 60: "KRB_ERR_GENERIC", 68: "KDC_ERR_WRONG_REALM",
};

/** "KRB-ERROR 6 KDC_ERR_C_PRINCIPAL_UNKNOWN", "AS-REP", or why the datagram is not a Kerberos reply. */
export function describeKerberosReply(r: Uint8Array): string {
  const app = readTlv(r, 0, r.length);
  if (!app) return `not a Kerberos reply: ${r.length} bytes`;
  if (app.tag === 0x6b) return "AS-REP";
  if (app.tag !== 0x7e) return `not a Kerberos reply (tag 0x${app.tag.toString(16)})`;
  const seq = readTlv(r, app.start, app.end);
  if (!seq || seq.tag !== 0x30) return "KRB-ERROR (unreadable)";
  // KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0], msg-type [1], ctime [2], cusec [3],
  //   stime [4], susec [5], error-code [6] Int32, ... }
  for (const f of children(r, seq)) {
    if (f.tag !== 0xa6) continue;
    const v = readTlv(r, f.start, f.end);
    const code = v && v.tag === 0x02 ? readUint(r, v) : undefined;
    if (code === undefined) break;
    return `KRB-ERROR ${code}${ERRORS[code] ? ` ${ERRORS[code]}` : ""}`;
  }
  return "KRB-ERROR (no error code)";
}
