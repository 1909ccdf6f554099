import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { ecsFormat } from "../../../src/decode/log/ecs.js";
import { zeekConnFormat } from "../../../src/decode/log/zeek-conn.js";
import { createNetfilterDecoder } from "../../../src/decode/log/netfilter.js";
import { filterlogFormat } from "../../../src/decode/log/filterlog.js";
import { createSuricataEveDecoder } from "../../../src/decode/log/suricata-eve.js";
import { createFlowConnectionDecoder } from "../../../src/flow/flow-pairing.js";
import type { Decoder } from "../../../src/decode/decoder.js";
import { CHUNK_SIZES, decode, options } from "./helpers.js";

/**
 * JSON log formats, each from a real producer's output in fixtures/logs-json/ (PROVENANCE.md there).
 */
const DIR = "fixtures/logs-json";
type Ev = ReturnType<typeof decode>["events"][number];
const flow = (e: Ev) => ({ line: e.line, src: e.src, dst: e.dst, protocol: e.protocol, srcPort: e.srcPort, dstPort: e.dstPort, icmpType: e.icmpType, action: e.action });

describe("ECS documents give the flows of the lines Elastic made them from", () => {
  // Elastic's own pipelines turned each raw line into the ECS document of the same line number; the raw
  // line read by portmatrix's own decoder is the oracle.
  const cases: [string, () => Decoder, () => Decoder, Record<number, string>, number[], number[]][] = [
    // Lines 23 and 24: Elastic does not map the "[SOMETHING-1234-A]" prefix to an action (its own note in
    // the expected output); portmatrix reads the Ubiquiti "-A" suffix as accept. The document says
    // nothing, so its flow stays unknown.
    ["test-iptables-raw.log", () => createNetfilterDecoder(options()), () => createTextDecoder(ecsFormat, options()), {}, [23, 24], []],
    ["test-pfsense-bsd.log", () => createTextDecoder(filterlogFormat, options()), () => createTextDecoder(ecsFormat, options()), {
      // Elastic's document keeps no ICMP type for lines 18 and 19 (the raw line has it): the ECS
      // document cannot say which ICMP message it was, so it is an ICMP flow of unknown type (issue 15).
    }, [], [18, 19]],
  ];
  for (const [name, raw, ecs, ecsOnlySkips, noAction, noIcmpType] of cases) {
    it(name, () => {
      const fromRaw = decode(raw, readFileSync(`${DIR}/${name}`));
      for (const chunk of CHUNK_SIZES) {
        const fromEcs = decode(ecs, readFileSync(`${DIR}/${name}-expected.fields.jsonl`), chunk);
        const skippedLines = new Map(fromEcs.stats.samples.map((s) => [s.position, s.reason]));
        const expected = fromRaw.events.filter((e) => ecsOnlySkips[e.line!] === undefined).map(flow)
          .map((e) => (noAction.includes(e.line!) ? { ...e, action: "unknown" as const } : e))
          .map((e) => (noIcmpType.includes(e.line!) ? { ...e, icmpType: null } : e));
        expect(fromEcs.events.map(flow), `chunks of ${chunk}`).toEqual(expected);
        for (const [line, why] of Object.entries(ecsOnlySkips)) expect(skippedLines.get(Number(line)), `line ${line}`).toBe(why);
        expect(fromEcs.stats.read).toBe(fromRaw.stats.read);
      }
    });
  }
  it("event.type denied or allowed decides before the vendor's word, which decides before nothing", () => {
    const lines = [
      `{"source":{"ip":"10.0.0.1","port":1},"destination":{"ip":"10.0.0.2","port":445},"network":{"transport":"tcp"},"event":{"type":["connection","denied"],"action":"accept"}}`,
      `{"source.ip":"10.0.0.1","source.port":1,"destination.ip":"10.0.0.2","destination.port":445,"network.transport":"tcp","event.action":"flow_dropped"}`,
      `{"source.ip":"10.0.0.1","source.port":1,"destination.ip":"10.0.0.2","destination.port":445,"network.iana_number":"6","event.type":["allowed"]}`,
      // event.outcome is success or failure from the producer's side (a firewall that denied as told says
      // success): not a decision.
      `{"source.ip":"10.0.0.1","source.port":1,"destination.ip":"10.0.0.2","destination.port":445,"network.transport":"tcp","event.outcome":"success"}`,
      `{"@timestamp":"2026-01-01T00:00:00Z","event":{"category":["host"]},"host":{"name":"x"}}`,
    ].join("\n");
    const r = decode(() => createTextDecoder(ecsFormat, options()), Buffer.from(lines));
    expect(r.events.map((e) => e.action)).toEqual(["blocked", "blocked", "allowed", "unknown"]);
    expect(r.stats.skipped).toEqual({ "not-traffic:ecs-host": 1 });
  });
});

describe("Suricata EVE", () => {
  const data = readFileSync(`${DIR}/suricata-eve-small.lines-1-5-8.log`);
  it("flow events are records; ssh, dns and other events describe traffic again and are skipped by type", () => {
    const r = decode(() => createSuricataEveDecoder(), data);
    expect(r.stats).toMatchObject({ read: 3, used: 1, skipped: { "not-traffic:suricata-ssh": 1, "not-traffic:suricata-dns": 1 } });
    // Suricata's own view of the flow: src_ip/src_port -> dest_ip/dest_port, UDP (Elastic's expected
    // output for this line agrees: source.ip fe80::fada:cff:fedc:87f1, destination.port 547).
    expect(flow(r.events[0]!)).toEqual({ line: 3, src: "fe80::fada:cff:fedc:87f1", dst: "ff02::1:2", protocol: "udp", srcPort: 546, dstPort: 547, icmpType: null, action: "unknown" });
    expect(r.events[0]!.time).toBe("2018-07-05T19:51:23.453Z");
  });
  it("a flow that never saw its client side is one datagram with no reverse: inconclusive, as for a capture", () => {
    const r = decode(() => createFlowConnectionDecoder(createSuricataEveDecoder()), data);
    expect(r.events.map((e) => [e.action, e.evidence])).toEqual([["unknown", "1 datagram, no reverse flow (S0)"]]);
  });
  it("state, packets both ways and TCP flags decide, and drops are the decision", () => {
    const lines = [
      // What Suricata writes for a refused connection (flow.state closed, RST from the server)...
      `{"timestamp":"2026-01-01T00:00:02.000000+0000","flow_id":1,"event_type":"flow","src_ip":"10.0.0.1","src_port":40000,"dest_ip":"10.0.0.2","dest_port":3389,"proto":"TCP","flow":{"pkts_toserver":1,"pkts_toclient":1,"start":"2026-01-01T00:00:01.000000+0000","end":"2026-01-01T00:00:01.001000+0000","state":"closed","reason":"timeout","alerted":false},"tcp":{"tcp_flags":"16","tcp_flags_ts":"02","tcp_flags_tc":"14","syn":true,"rst":true,"ack":true,"state":"closed"}}`,
      // ...an answered one...
      `{"timestamp":"2026-01-01T00:00:03.000000+0000","flow_id":2,"event_type":"flow","src_ip":"10.0.0.1","src_port":40001,"dest_ip":"10.0.0.2","dest_port":445,"proto":"TCP","flow":{"pkts_toserver":6,"pkts_toclient":5,"start":"2026-01-01T00:00:01.000000+0000","state":"closed","reason":"timeout"},"tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"1b"}}`,
      // ...and a packet dropped in IPS mode.
      `{"timestamp":"2026-01-01T00:00:04.000000+0000","flow_id":3,"event_type":"drop","src_ip":"10.0.0.1","src_port":40002,"dest_ip":"10.0.0.2","dest_port":23,"proto":"TCP","drop":{"len":60,"syn":true}}`,
    ].join("\n");
    const r = decode(() => createFlowConnectionDecoder(createSuricataEveDecoder()), Buffer.from(lines));
    const by = (port: number) => r.events.find((e) => e.dstPort === port)!;
    expect(by(3389).action).toBe("blocked");
    expect(by(3389).evidence).toMatch(/^rst:/);
    expect(by(445).action).toBe("allowed");
    expect([by(23).action, by(23).evidence]).toEqual(["blocked", "suricata drop"]);
  });
});

describe("Suricata EVE netflow events: one record per direction, joined like NetFlow", () => {
  // The shape of Suricata's netflow event (user guide, "Eve JSON Format", and output-json-netflow.c):
  // one event per direction, the reverse one with src and dest swapped, netflow.pkts and that direction's
  // tcp.tcp_flags. No public eve.json with netflow events was found; these lines follow that shape.
  const nf = (id: number, src: string, sp: number, dst: string, dp: number, pkts: number, fl: string, t: string) =>
    `{"timestamp":"2026-01-01T00:00:0${t}.000000+0000","flow_id":${id},"event_type":"netflow","src_ip":"${src}","src_port":${sp},"dest_ip":"${dst}","dest_port":${dp},"proto":"TCP","netflow":{"pkts":${pkts},"bytes":${pkts * 60},"start":"2026-01-01T00:00:0${t}.000000+0000","end":"2026-01-01T00:00:0${t}.100000+0000","age":0,"min_ttl":64,"max_ttl":64},"tcp":{"tcp_flags":"${fl}"}}`;
  const lines = [
    nf(1, "10.0.0.1", 40000, "10.0.0.2", 445, 6, "1b", "1"), nf(1, "10.0.0.2", 445, "10.0.0.1", 40000, 5, "1b", "1"),
    nf(2, "10.0.0.1", 40001, "10.0.0.2", 3389, 1, "02", "2"), nf(2, "10.0.0.2", 3389, "10.0.0.1", 40001, 1, "14", "2"),
    nf(3, "10.0.0.1", 40002, "10.0.0.2", 23, 3, "02", "3"),
  ].join("\n");
  it("each direction is a record; the pair is one connection whose outcome both directions decide", () => {
    const records = decode(() => createSuricataEveDecoder(), Buffer.from(lines));
    expect(records.stats).toMatchObject({ read: 5, used: 5 });
    const r = decode(() => createFlowConnectionDecoder(createSuricataEveDecoder()), Buffer.from(lines));
    const by = (port: number) => r.events.find((e) => e.dstPort === port)!;
    expect(r.events.map((e) => `${e.src} ${e.dst} ${e.dstPort}`).sort()).toEqual(["10.0.0.1 10.0.0.2 23", "10.0.0.1 10.0.0.2 3389", "10.0.0.1 10.0.0.2 445"]);
    expect([by(445).action, by(445).evidence]).toEqual(["allowed", "handshake: SYN-ACK in the reverse flow (SF/S1)"]);
    expect(by(3389).action).toBe("blocked");
    expect(by(3389).evidence).toMatch(/^rst: the reverse flow carries RST/);
    expect([by(23).action, by(23).evidence]).toEqual(["blocked", "unanswered: 3 SYN packets, no reverse flow (S0)"]);
  });
});

describe("Zeek conn logs as JSON", () => {
  it("Zeek's own documentation records: each event is the record's 5-tuple, and conn_state decides as for TSV", () => {
    const lines = readFileSync(`${DIR}/zeek-docs-conn.json.log`, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, string | number>);
    for (const chunk of CHUNK_SIZES) {
      const r = decode(() => createTextDecoder(zeekConnFormat, options()), readFileSync(`${DIR}/zeek-docs-conn.json.log`), chunk);
      expect(r.stats).toMatchObject({ read: 3, used: 3 });
      r.events.forEach((e, k) => {
        const z = lines[k]!;
        expect([e.src, e.dst, e.time]).toEqual([z["id.orig_h"], z["id.resp_h"], new Date(Math.round(Number(z.ts) * 1000)).toISOString()]);
        if (z.proto === "udp" || z.proto === "tcp") expect([e.protocol, e.srcPort, e.dstPort]).toEqual([z.proto, z["id.orig_p"], z["id.resp_p"]]);
        else expect(e.protocol).toBe(`ip-proto-${z.ip_proto}`);
      });
      // SF with packets both ways: allowed; OSPF (unknown_transport) one way: nothing to say.
      expect(r.events.map((e) => e.action)).toEqual(["allowed", "allowed", "unknown"]);
    }
  });
});
