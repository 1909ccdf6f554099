import { it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnectionDecoder } from "../../../src/flow/capture-decoder.js";
import { createPcapDecoder } from "../../../src/decode/pcap/classic.js";
import { allEvents, connections, exportRecords, expectNfdumpView, nfdumpView } from "./flow-helpers.js";
import { describeNeeding, needRoot, needTool } from "../../helpers/need.js";

/** `unshare -n` works: a private network namespace for each export session. */
function needUnshareNet(): string | undefined {
  return spawnSync("unshare", ["-n", "true"]).status === 0 ? undefined : "cannot make a network namespace (unshare -n)";
}

/**
 * The real producers, run again now: softflowd exports a capture as NetFlow v5, v9, IPFIX and IPFIX
 * biflows, and pmacct (pmacctd's nfprobe plugin) as NetFlow v9 and IPFIX, to nfcapd inside a private
 * network namespace (fixtures/flows/make-fixtures.sh); what portmatrix reads from the captured export
 * equals what nfdump shows of the same export, and the connections it makes are the capture's. With CI
 * set, a missing tool fails this test (.ci/run installs softflowd, pmacct and nfdump); elsewhere it is
 * skipped, saying why (test/helpers/need.ts).
 */
const SESSIONS = ["ad-client.v5", "ad-client.v9", "ad-client.v10", "ad-client.v10-biflow", "ad-client.pmacct-v9", "ad-client.pmacct-v10"];

describeNeeding([needRoot, () => needTool("softflowd", "softflowctl", "pmacctd", "nfcapd", "nfdump", "tcpdump", "unshare", "ss", "ip"), needUnshareNet], "softflowd and pmacct + nfcapd + nfdump, run now", () => {
  it("every fresh export decodes to nfdump's view of it, and pairs into the capture's connections", () => {
    const out = mkdtempSync(join(tmpdir(), "portmatrix-flows-"));
    execFileSync("bash", ["fixtures/flows/make-fixtures.sh", out], { env: { ...process.env, ONLY: SESSIONS.join(" "), SOURCES: "/nonexistent" }, stdio: ["ignore", "ignore", "pipe"], timeout: 120_000 });
    const capture = allEvents(createConnectionDecoder(createPcapDecoder()), readFileSync("fixtures/flows/traffic/ad-client.pcap"));
    const key = (e: (typeof capture)[number]) => `${e.src} ${e.dst} ${e.proto} ${e.dstPort} ${e.action}`;
    for (const name of SESSIONS) {
      const records = exportRecords(name, undefined, out);
      expect(records.records.length, name).toBeGreaterThan(10);
      expectNfdumpView(records, nfdumpView(name, out), name, out);
      const conns = connections(name, out);
      const expected = capture.filter((c) => !name.endsWith(".v5") || c.family === 4).map(key).sort();
      expect(conns.map(key).sort(), name).toEqual(expected);
    }
  }, 180_000);
});
