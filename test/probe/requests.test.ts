import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { tmpFiles } from "../helpers/tmp.js";
import { itNeeding, needTool } from "../helpers/need.js";
import { udpRequest, udpRequestFor, UDP_PROTOCOLS, type UdpProtocol } from "../../src/probe/requests/index.js";
import { describeDnsReply, dnsQuery } from "../../src/probe/requests/dns.js";
import { describeKerberosReply } from "../../src/probe/requests/kerberos.js";
import { describeNtpReply, ntpRequest } from "../../src/probe/requests/ntp.js";
import { describeNbstatReply, nbstatQuery } from "../../src/probe/requests/nbns.js";
import { describeCldapReply, describeNetlogon, cldapPing } from "../../src/probe/requests/cldap.js";

const hex = (s: string) => Buffer.from(s, "hex");

/**
 * Replies of real servers: UDP payloads of fixtures/pcap/samba-ad-lab/ad-client.pcap (Samba 4.17 DC,
 * see fixtures/pcap/PROVENANCE.md), as `tshark -T fields -e udp.payload` prints them.
 */
const SAMBA_DNS_REPLY_5 = hex("949285a00001000100010000055f6c646170045f74637004636f7270076578616d706c6504746573740000210001c00c0021000100000384000d0000006401850464633031c017c0170006000100000e100023c0400a686f73746d6173746572c0170000000100000384000002580001518000000e10");
const SAMBA_KRB_ERROR_17 = hex("7e82015430820150a003020105a10302011ea411180f32303236313132333035313034375aa505020307ff28a603020119a7131b11434f52502e4558414d504c452e54455354a81a3018a003020101a111300f1b0d61646d696e6973747261746f72a9131b11434f52502e4558414d504c452e54455354aa263024a003020102a11d301b1b066b72627467741b11434f52502e4558414d504c452e54455354ab2b1b294e65656420746f207573652050412d454e432d54494d455354414d502f50412d504b2d41532d524551ac81890481863081833009a103020110a20204003009a10302010fa2020400300aa10402020093a20204003009a103020102a2020400300aa10402020088a2020400300aa1040202028fa2020400303ca103020113a23504333031302fa003020112a1201b1e434f52502e4558414d504c452e5445535441646d696e6973747261746f72a206040400001000");
const SAMBA_KRB_ERROR_19 = hex("7e81f83081f5a003020105a10302011ea411180f32303236313132333035313034375aa505020308947aa603020134a7131b11434f52502e4558414d504c452e54455354a81a3018a003020101a111300f1b0d61646d696e6973747261746f72a9131b11434f52502e4558414d504c452e54455354aa263024a003020102a11d301b1b066b72627467741b11434f52502e4558414d504c452e54455354ab181b165265706c79207061636b657420746f6f206c61726765ac420440303e303ca103020113a23504333031302fa003020112a1201b1e434f52502e4558414d504c452e5445535441646d696e6973747261746f72a206040400001000");

/**
 * Answers of real servers to this module's own requests, as tshark printed their UDP payloads: a network
 * namespace on Debian 12 with dnsmasq 2.90, MIT krb5kdc 1.20.1 (realm PROBE.TEST), chrony 4.3 (local
 * stratum 8), Samba 4.17.12 nmbd (netbios name PROBEFS) and a Samba 4.17.12 AD DC (realm
 * CORP.PROBE.TEST, host dc01; its Heimdal KDC and CLDAP server), probed by `portmatrix probe`.
 * tshark 4.0.17 decodes each as the reply to the request before it (the DC's netlogon as forest and
 * domain corp.probe.test, host dc01.corp.probe.test).
 */
const DNSMASQ_REFUSED = hex("decf808500010000000000000000020001");
const MIT_KRB_ERROR = hex("7e81b43081b1a003020105a10302011ea411180f32303236313132333039353733345aa50502030f17d3a603020106a7141b12504f52544d41545249582e494e56414c4944a81d301ba003020101a11430121b10706f72746d61747269782d70726f6265a9141b12504f52544d41545249582e494e56414c4944aa273025a003020102a11e301c1b066b72627467741b12504f52544d41545249582e494e56414c4944ab121b10434c49454e545f4e4f545f464f554e44");
const NMBD_NBSTAT = hex("25d88400000000010000000020434b41414141414141414141414141414141414141414141414141414141414100002100010000000000ad0750524f42454653202020202020202000040050524f42454653202020202020202003040050524f42454653202020202020202020040001025f5f4d5342524f5753455f5f0201840050524f42454c41422020202020202000840050524f42454c4142202020202020201d040050524f42454c4142202020202020201e840000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000");
const CHRONY_REPLY = hex("240800e600000000000000007f7f0101eeae8c8d68e6e164a0174235bfe388edeeae8c8efd2c6ff1eeae8c8efd5e686a");
const CHRONY_ORIGIN = hex("a0174235bfe388ed");
const HEIMDAL_KRB_ERROR = hex("7e81a030819da003020105a10302011ea411180f32303236313132333039353733345aa50502030f1b25a603020106a7141b12504f52544d41545249582e494e56414c4944a81d301ba003020101a11430121b10706f72746d61747269782d70726f6265a9141b12504f52544d41545249582e494e56414c4944aa273025a003020102a11e301c1b066b72627467741b12504f52544d41545249582e494e56414c4944");
const SAMBA_CLDAP_REPLY = hex("30818102027d25647b04003077307504086e65746c6f676f6e3169046717000000fd130000f229cea1f2e9a84693e6380312b0135404636f72700570726f6265047465737400c0180464633031c01809434f525050524f424500044443303100001744656661756c742d46697273742d536974652d4e616d6500c04405000000ffffffff300d02027d2565070a010004000400");

/** A pcap (LINKTYPE_IPV4, 228) with one IPv4/UDP datagram per payload, for tshark to decode. */
function pcapOf(datagrams: { dport: number; payload: Buffer }[]): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65535, 16);
  head.writeUInt32LE(228, 20);
  const recs = datagrams.map(({ dport, payload }, i) => {
    const ip = Buffer.alloc(28);
    ip[0] = 0x45;
    ip.writeUInt16BE(28 + payload.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    Buffer.from([10, 98, 1, 100, 10, 98, 2, 10]).copy(ip, 12);
    let sum = 0;
    for (let k = 0; k < 20; k += 2) sum += ip.readUInt16BE(k);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    ip.writeUInt16BE(50000 + i, 20);
    ip.writeUInt16BE(dport, 22);
    ip.writeUInt16BE(8 + payload.length, 24); // UDP checksum 0: not computed (RFC 768)
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(28 + payload.length, 8);
    rec.writeUInt32LE(28 + payload.length, 12);
    return Buffer.concat([rec, ip, payload]);
  });
  return Buffer.concat([head, ...recs]);
}


describe("UDP probe requests", () => {
  itNeeding([needTool("tshark")], "are decoded by tshark as the requests they claim to be, with no expert warning", () => {
    const protos = Object.keys(UDP_PROTOCOLS) as UdpProtocol[];
    const file = join(tmpFiles({}), "requests.pcap");
    writeFileSync(file, pcapOf(protos.map((p) => ({ dport: UDP_PROTOCOLS[p], payload: udpRequest(p).bytes }))));
    const fields = [
      "_ws.col.Protocol", "dns.flags.response", "dns.flags.recdesired", "dns.qry.name", "dns.qry.type", "kerberos.msg_type",
      "kerberos.CNameString", "kerberos.realm", "kerberos.SNameString", "kerberos.ENCTYPE", "ntp.flags.vn", "ntp.flags.mode",
      "nbns.name", "nbns.type", "ldap.protocolOp", "ldap.scope", "ldap.attributeDesc", "ldap.AttributeDescription",
      "mscldap.ntver.flags", "_ws.expert.message", "_ws.malformed",
    ];
    const r = spawnSync("tshark", ["-r", file, "-n", "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;", ...fields.flatMap((f) => ["-e", f])], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trim().split("\n").map((l) => Object.fromEntries(l.split("|").map((v, i) => [fields[i]!, v])));
    expect(rows.map((x) => x["_ws.col.Protocol"])).toEqual(["DNS", "KRB5", "NTP", "NBNS", "CLDAP"]);
    expect(rows[0]).toMatchObject({ "dns.flags.response": "0", "dns.flags.recdesired": "0", "dns.qry.name": "<Root>", "dns.qry.type": "2" });
    expect(rows[1]).toMatchObject({ "kerberos.msg_type": "10", "kerberos.CNameString": "portmatrix-probe", "kerberos.realm": "PORTMATRIX.INVALID", "kerberos.SNameString": "krbtgt;PORTMATRIX.INVALID", "kerberos.ENCTYPE": "18;17;23" });
    expect(rows[2]).toMatchObject({ "ntp.flags.vn": "4", "ntp.flags.mode": "3" });
    expect(rows[3]).toMatchObject({ "nbns.name": `*${"<00>".repeat(15)}`, "nbns.type": "33" });
    expect(rows[4]).toMatchObject({ "ldap.protocolOp": "3", "ldap.scope": "0", "ldap.attributeDesc": "NtVer", "ldap.AttributeDescription": "Netlogon", "mscldap.ntver.flags": "0x00000006" });
    for (const row of rows) expect([row["_ws.expert.message"], row["_ws.malformed"]], row["_ws.col.Protocol"]).toEqual(["", ""]);
  });

  it("are chosen by well-known port, or by --udp-request, with a fresh ID each time", () => {
    expect(udpRequestFor(53)?.name).toBe("dns");
    expect(udpRequestFor(389)?.name).toBe("cldap");
    expect(udpRequestFor(138)).toBeUndefined();
    expect(udpRequestFor(5353, new Map([[5353, "dns"]]))?.name).toBe("dns");
    expect(udpRequestFor(53, new Map([[53, "none"]]))).toBeUndefined();
    const ids = new Set(Array.from({ length: 20 }, () => udpRequest("dns").bytes.readUInt16BE(0)));
    expect(ids.size).toBeGreaterThan(15);
  });

  it("read real servers' replies: Samba's DNS answer and KRB-ERRORs", () => {
    expect(describeDnsReply(SAMBA_DNS_REPLY_5, 0x9492)).toBe("NOERROR, 1 answer, 1 authority");
    expect(describeDnsReply(SAMBA_DNS_REPLY_5, 0x1234)).toBe("a DNS reply with another ID (0x9492)");
    expect(describeKerberosReply(SAMBA_KRB_ERROR_17)).toBe("KRB-ERROR 25 KDC_ERR_PREAUTH_REQUIRED");
    expect(describeKerberosReply(SAMBA_KRB_ERROR_19)).toBe("KRB-ERROR 52 KRB_ERR_RESPONSE_TOO_BIG");
  });

  it("read the answers real servers gave to these very requests", () => {
    expect(describeDnsReply(DNSMASQ_REFUSED, 0xdecf)).toBe("REFUSED, 0 answers");
    expect(describeKerberosReply(MIT_KRB_ERROR)).toBe("KRB-ERROR 6 KDC_ERR_C_PRINCIPAL_UNKNOWN");
    expect(describeKerberosReply(HEIMDAL_KRB_ERROR)).toBe("KRB-ERROR 6 KDC_ERR_C_PRINCIPAL_UNKNOWN");
    expect(describeNtpReply(CHRONY_REPLY, CHRONY_ORIGIN)).toBe("stratum 8");
    expect(describeNbstatReply(NMBD_NBSTAT, 0x25d8)).toBe("name status: PROBEFS, 7 names");
    expect(describeCldapReply(SAMBA_CLDAP_REPLY, 0x7d25)).toBe("netlogon: DC dc01.corp.probe.test, domain corp.probe.test");
  });

  it("match replies to their request and say what they are", () => {
    // DNS: the query itself is not a reply.
    expect(describeDnsReply(dnsQuery(7), 7)).toBe("not a DNS reply: QR bit clear");
    // NTP: a kiss-o'-death (RFC 5905 7.4) and a server reply for someone else's request.
    const tx = Buffer.from("0102030405060708", "hex");
    const kod = Buffer.alloc(48);
    kod[0] = 0x24;
    kod.write("RATE", 12, "latin1");
    tx.copy(kod, 24);
    expect(describeNtpReply(kod, tx)).toBe("kiss-o'-death RATE");
    kod[1] = 3;
    kod[24] = 0xff;
    expect(describeNtpReply(kod, tx)).toBe("stratum 3, origin timestamp not ours");
    expect(describeNtpReply(ntpRequest(tx), tx)).toBe("not an NTP server reply (mode 3)");
    // NetBIOS node status reply (RFC 1002 4.2.18): the question name, then the node's name table.
    const q = nbstatQuery(0x4242);
    const names = Buffer.concat([Buffer.from("FS01           \x00\x04\x00", "latin1"), Buffer.from("WORKGROUP      \x00\x84\x00", "latin1")]);
    const rr = Buffer.concat([q.subarray(12, 46), Buffer.from([0, 0x21, 0, 1, 0, 0, 0, 0, 0, 1 + names.length + 6]), Buffer.from([2]), names, Buffer.alloc(6)]);
    const reply = Buffer.concat([Buffer.from([0x42, 0x42, 0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0]), rr]);
    expect(describeNbstatReply(reply, 0x4242)).toBe("name status: FS01, 2 names");
    expect(describeNbstatReply(reply, 0x4343)).toBe("a NetBIOS reply with another transaction id (0x4242)");
    expect(describeNbstatReply(q, 0x4242)).toBe("not a NetBIOS name service reply: R bit clear");
  });

  it("read a CLDAP netlogon entry and a bare searchResDone", () => {
    // NETLOGON_SAM_LOGON_RESPONSE_EX (MS-ADTS 6.3.1.9): opcode 23, Sbz, flags, GUID, then
    // DnsForestName, DnsDomainName (a pointer to the forest name), DnsHostName (dc01 + pointer).
    const forest = Buffer.from("\x04corp\x07example\x04test\x00", "latin1");
    const nl = Buffer.concat([Buffer.from([23, 0, 0, 0, 0xfd, 0xf3, 0x03, 0]), Buffer.alloc(16), forest, Buffer.from([0xc0, 24]), Buffer.from("\x04dc01", "latin1"), Buffer.from([0xc0, 24])]);
    expect(describeNetlogon(nl)).toBe("netlogon: DC dc01.corp.example.test, domain corp.example.test");
    const tlv = (tag: number, ...c: Buffer[]) => { const b = Buffer.concat(c); return Buffer.concat([Buffer.from(b.length < 128 ? [tag, b.length] : [tag, 0x81, b.length]), b]); };
    const id = Buffer.from([0x02, 0x01, 0x05]);
    const entry = tlv(0x30, id, tlv(0x64, tlv(0x04), tlv(0x30, tlv(0x30, tlv(0x04, Buffer.from("netlogon")), tlv(0x31, tlv(0x04, nl))))));
    const done = tlv(0x30, id, tlv(0x65, Buffer.from([0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00])));
    expect(describeCldapReply(Buffer.concat([entry, done]), 5)).toBe("netlogon: DC dc01.corp.example.test, domain corp.example.test");
    expect(describeCldapReply(done, 5)).toBe("search done: success, no entry");
    expect(describeCldapReply(done, 6)).toBe("an LDAP reply to another message id");
    expect(describeCldapReply(cldapPing(5), 5)).toBe("an LDAP reply without a search result");
    // A compression loop ends, it does not spin.
    const loop = Buffer.concat([Buffer.from([23, 0]), Buffer.alloc(22), Buffer.from([0xc0, 24])]);
    expect(describeNetlogon(loop)).toBe("netlogon reply (names unreadable)");
  });

  it("never throw on hostile replies: cut real ones at every length, and random bytes", () => {
    const real = [SAMBA_DNS_REPLY_5, SAMBA_KRB_ERROR_17, SAMBA_KRB_ERROR_19, DNSMASQ_REFUSED, MIT_KRB_ERROR, NMBD_NBSTAT, CHRONY_REPLY, HEIMDAL_KRB_ERROR, SAMBA_CLDAP_REPLY];
    const all = (b: Uint8Array) => [
      describeDnsReply(b, 1), describeKerberosReply(b), describeNtpReply(b, new Uint8Array(8)), describeNbstatReply(b, 1),
      describeCldapReply(b, 1), describeNetlogon(b),
    ];
    for (const r of real) for (let n = 0; n <= r.length; n++) for (const s of all(r.subarray(0, n))) expect(typeof s).toBe("string");
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => all(b).every((s) => typeof s === "string" && !/[\x00-\x1f]/.test(s))));
  });
});
