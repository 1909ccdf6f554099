import { describe, it, expect } from "vitest";
import { createTextDecoder, type TextFormatSpec } from "../../../src/decode/log/text-format.js";
import { azureFlowFormat } from "../../../src/decode/log/azure-flow.js";
import { checkpointFormat } from "../../../src/decode/log/checkpoint.js";
import { gcpFormat } from "../../../src/decode/log/gcp.js";
import { awsVpcFlowFormat } from "../../../src/decode/log/aws-vpc-flow.js";
import { createNetfilterDecoder } from "../../../src/decode/log/netfilter.js";
import { balanced, decodeAtEveryChunkSize, fixture, options } from "./helpers.js";

const tuple = (sport: number, rest = "443,T,I,D,B,,,,") => `1704067200,10.0.0.1,10.0.0.2,${sport},${rest}`;
const nsg = (tuples: string[]) => JSON.stringify({ records: [{ time: "2024-01-01T00:00:00Z", category: "NetworkSecurityGroupFlowEvent", properties: { Version: 2, flows: [{ rule: "DefaultRule_DenyAllInBound", flows: [{ mac: "000D3A", flowTuples: tuples }] }] } }] });
const gcpEntry = (dport: number) => ({ jsonPayload: { connection: { src_ip: "10.0.0.1", src_port: 1, dest_ip: "10.0.0.2", dest_port: dport, protocol: 6 }, disposition: "DENIED" }, logName: "projects/p/logs/compute.googleapis.com%2Ffirewall" });
const cpDrop = (packets: string) => `<134>1 2025-01-21T09:36:10Z H CheckPoint 16953 - [action:"Drop"; ifdir:"inbound"; time:"1737452170"; packets:"${packets}"]`;
const awsEvents = (messages: string[]) => JSON.stringify({ logEvents: messages.map((message, i) => ({ id: String(i), timestamp: 0, message })) });

/** Records that hold several flows: every flow is used or skipped with a reason, none vanishes. */
const TABLE: [name: string, spec: TextFormatSpec, text: string, records: [read: number, used: number], flows: [read: number, used: number, skipped: Record<string, number>], events: number][] = [
  ["an Azure NSG record of 5 tuples, 3 malformed", azureFlowFormat,
    nsg([tuple(1), tuple(2, "bad,T,I,D,B,,,,"), "garbage", tuple(3), tuple(4, "443,X,I,D,B,,,,")]),
    [1, 1], [5, 2, { "bad-flow-tuple": 2, "missing-port": 1 }], 2],
  ["an Azure NSG record whose tuples are all malformed", azureFlowFormat, nsg(["x", "y"]),
    [1, 0], [2, 0, { "bad-flow-tuple": 2 }], 0],
  ["Check Point drop records listing packets, one entry damaged", checkpointFormat,
    [cpDrop("<81.2.69.142,1,81.2.69.144,80,6;eth0> <81.2.69.142,2,81.2.69.144,81,6>"), cpDrop("(sample only) <81.2.69.142,3,89.160.20.128,53,17> <oops> <81.2.69.142,4,81.2.69.144,99999,6>")].join("\n"),
    [2, 2], [5, 3, { "bad-packet-entry": 1, "missing-port": 1 }], 3],
  ["a GCP line holding an array of three entries, one not an entry", gcpFormat, JSON.stringify([gcpEntry(22), { a: 1 }, gcpEntry(80)]),
    [1, 1], [3, 2, { "not-gcp": 1 }], 2],
  ["a CloudWatch payload of AWS flow records, one NODATA", awsVpcFlowFormat,
    awsEvents(["2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK", "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"]),
    [1, 1], [2, 1, { nodata: 1 }], 1],
];

describe("records that hold several flows are counted per record and per flow", () => {
  for (const [name, spec, text, [read, used], [fRead, fUsed, fSkipped], events] of TABLE) {
    it(name, () => {
      const { whole, mismatches } = decodeAtEveryChunkSize(() => createTextDecoder(spec, options()), Buffer.from(text + "\n"));
      expect(mismatches).toEqual([]);
      expect([whole.stats.read, whole.stats.used]).toEqual([read, used]);
      expect(whole.stats.flows).toEqual({ read: fRead, used: fUsed, skipped: fSkipped });
      expect(whole.events).toHaveLength(events);
      expect(balanced(whole.stats)).toBe(true);
      // Every flow used is an event.
      expect(whole.stats.flows.used).toBe(events);
    });
  }

  it("a record that is one flow counts one flow when used, and only as a record when skipped", () => {
    const { whole } = decodeAtEveryChunkSize(() => createNetfilterDecoder(options()), fixture("fixtures/kcps/kern.log"));
    expect(whole.stats.flows).toEqual({ read: whole.stats.used, used: whole.stats.used, skipped: {} });
  });
});
