/**
 * The UDP services a probe can ask a real question, by port, so that silence means something (as
 * PortQry does for DNS, LDAP and NetBIOS). Every other UDP port gets an empty datagram.
 */
import { randomBytes } from "node:crypto";
import { dnsQuery, describeDnsReply } from "./dns.js";
import { cldapPing, describeCldapReply } from "./cldap.js";
import { asReq, describeKerberosReply } from "./kerberos.js";
import { nbstatQuery, describeNbstatReply } from "./nbns.js";
import { ntpRequest, describeNtpReply } from "./ntp.js";

export interface UdpRequest {
  /** Protocol name used in evidence: dns, cldap, kerberos, nbns, ntp. */
  name: string;
  bytes: Buffer;
  /** What a reply says, in a few words (a datagram that is no proper reply still proves an answer). */
  describe(reply: Uint8Array): string;
}

/** The protocols a UDP probe can speak, and the port each is asked on unless told otherwise. */
export const UDP_PROTOCOLS = { dns: 53, kerberos: 88, ntp: 123, nbns: 137, cldap: 389 } as const;
export type UdpProtocol = keyof typeof UDP_PROTOCOLS;

export function isUdpProtocol(s: string): s is UdpProtocol {
  return Object.prototype.hasOwnProperty.call(UDP_PROTOCOLS, s);
}

/** A fresh request (new ID, nonce) of one protocol. */
export function udpRequest(proto: UdpProtocol): UdpRequest {
  const rnd = randomBytes(8);
  const id16 = rnd.readUInt16BE(0);
  switch (proto) {
    case "dns": return { name: "dns", bytes: dnsQuery(id16), describe: (r) => describeDnsReply(r, id16) };
    case "kerberos": return { name: "kerberos", bytes: asReq(rnd.readUInt32BE(0) >>> 1), describe: describeKerberosReply };
    case "ntp": return { name: "ntp", bytes: ntpRequest(rnd), describe: (r) => describeNtpReply(r, rnd) };
    case "nbns": return { name: "nbns", bytes: nbstatQuery(id16), describe: (r) => describeNbstatReply(r, id16) };
    case "cldap": {
      const id = (id16 & 0x7fff) || 1;
      return { name: "cldap", bytes: cldapPing(id), describe: (r) => describeCldapReply(r, id) };
    }
  }
}

/**
 * The request for a UDP port: `overrides` (from --udp-request PORT=PROTO, "none" for an empty
 * datagram) first, then the well-known port of each protocol.
 */
export function udpRequestFor(port: number, overrides?: ReadonlyMap<number, UdpProtocol | "none">): UdpRequest | undefined {
  const o = overrides?.get(port);
  if (o === "none") return undefined;
  if (o !== undefined) return udpRequest(o);
  for (const [name, p] of Object.entries(UDP_PROTOCOLS)) if (p === port) return udpRequest(name as UdpProtocol);
  return undefined;
}
