#!/usr/bin/env node
// Synthetic logs for benchmarks, deterministic (seeded): syslog-wrapped netfilter LOG lines, Windows
// Firewall pfirewall.log rows, or generic CSV; a realistic mix of TCP/UDP/ICMP, IPv6, actions and flows.
//   node bench/gen-logs.mjs netfilter|windows-firewall|csv OUT [lines=2000000] [flows=200000] [seed=7]
// The same flows (flow numbers 0..flows-1 map to the same addresses, ports, protocol and action) come
// out whatever the seed; the seed picks which flow each line is and the timestamps' steps.
import { openSync, writeSync, closeSync } from "node:fs";

const [kind, out, nArg, fArg, sArg] = process.argv.slice(2);
if (!kind || !out) { console.error("usage: gen-logs.mjs netfilter|windows-firewall|csv OUT [lines] [flows] [seed]"); process.exit(2); }
const N = Number(nArg ?? 2_000_000);
const FLOWS = Number(fArg ?? 200_000);
let seed = Number(sArg ?? 7);
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const services = [445, 135, 389, 53, 88, 3389, 443, 38000, 5985, 8080, 139, 636];
const fd = openSync(out, "w");
let buf = "";
const flushAt = 1 << 20;
const emit = (s) => { buf += s; if (buf.length > flushAt) { writeSync(fd, buf); buf = ""; } };
if (kind === "windows-firewall") emit("#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid\n\n");
if (kind === "csv") emit("timestamp,src_ip,dst_ip,src_port,dst_port,protocol,action\n");
let t = Date.UTC(2026, 10, 1);
for (let i = 0; i < N; i++) {
  const flow = Math.floor(rnd() * FLOWS);
  const r = (flow * 2654435761) >>> 0;
  const kindN = r % 100;
  const proto = kindN < 70 ? "TCP" : kindN < 95 ? "UDP" : "ICMP";
  const v6 = (r >>> 12) % 50 === 0;
  const src = v6 ? `fd00::1:${(flow % 60000).toString(16)}` : `10.1.${(flow >>> 8) & 255}.${flow & 255}`;
  const dst = v6 ? `fd00::2:${((r >>> 16) % 200).toString(16)}` : `10.2.0.${(r >>> 16) % 200}`;
  const dport = services[r % services.length];
  const sport = 49152 + (flow % 16000);
  const blocked = (r >>> 20) % 5 === 0;
  t += Math.floor(rnd() * 20);
  const d = new Date(t);
  if (kind === "netfilter") {
    const ts = `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${d.toISOString().slice(11, 19)}`;
    const l4 = proto === "ICMP" ? `PROTO=${v6 ? "ICMPv6" : "ICMP"} TYPE=${v6 ? 128 : 8} CODE=0 ID=${flow & 65535} SEQ=1` : proto === "TCP" ? `PROTO=TCP SPT=${sport} DPT=${dport} WINDOW=64240 RES=0x00 SYN URGP=0` : `PROTO=UDP SPT=${sport} DPT=${dport} LEN=40`;
    const ip = v6 ? `SRC=${src} DST=${dst} LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=0` : `SRC=${src} DST=${dst} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=${i & 65535} DF`;
    emit(`${ts} fw01 kernel: [${(t / 1000 - 1.7e9).toFixed(6)}] ${blocked ? "FW-DROP" : "FW-ACCEPT"} IN=eth0 OUT=eth1 MAC=02:00:00:00:00:01:02:00:00:00:00:02:08:00 ${ip} ${l4} \n`);
  } else if (kind === "windows-firewall") {
    const iso = d.toISOString();
    const icmp = proto === "ICMP";
    emit(`${iso.slice(0, 10)} ${iso.slice(11, 19)} ${blocked ? "DROP" : "ALLOW"} ${icmp ? (v6 ? "ICMPv6" : "ICMP") : proto} ${src} ${dst} ${icmp ? "-" : sport} ${icmp ? "-" : dport} 60 ${proto === "TCP" ? "S" : "-"} - - - ${icmp ? (v6 ? 128 : 8) : "-"} ${icmp ? 0 : "-"} - RECEIVE 4\n`);
  } else {
    const icmp = proto === "ICMP";
    emit(`${d.toISOString()},${src},${dst},${icmp ? "" : sport},${icmp ? 8 : dport},${icmp ? (v6 ? "icmpv6" : "icmp") : proto.toLowerCase()},${blocked ? "deny" : "allow"}\n`);
  }
}
writeSync(fd, buf);
closeSync(fd);
console.error(`gen-logs: wrote ${N} ${kind} lines, ${FLOWS} flows, to ${out}`);
