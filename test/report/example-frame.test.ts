import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { runCli } from "../helpers/cli.js";
import { readOracle, readRecords } from "../decode/pcap/oracle.js";
import { exampleWhere } from "../../src/report/example.js";
import { parseReport } from "../helpers/report.js";

/**
 * A capture finding's example names the frame an admin opens in Wireshark. Checked against tshark's
 * own numbering of the samba AD lab capture (its oracle CSV, fixtures/pcap/PROVENANCE.md): the frame
 * the report names is the connection's first packet, from its originator, and the byte offset beside
 * it is that frame's record.
 */
describe("capture evidence names the Wireshark frame", () => {
  for (const f of ["ad-client.pcap", "ad-client.pcapng"] as const) {
    it(`${f}: every finding's example.frame is tshark's frame of the connection's first packet, at example.offset`, async () => {
      const path = `fixtures/pcap/samba-ad-lab/${f}`;
      const r = await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/pcap/samba-ad-lab/inventory.yaml", "--format", "json", "--fail-on", "none", path]);
      expect(r.code).toBe(0);
      // parseReport validates against docs/report.schema.json, which must know example.frame.
      const report = parseReport(r.stdout);
      const rows = new Map(readOracle(`${path}.tshark.csv`).map((row) => [row.number, row]));
      const records = readRecords(readFileSync(path), f.endsWith("ng") ? "pcapng" : "pcap");
      expect(report.findings.length).toBeGreaterThan(5);
      for (const x of report.findings) {
        const frame = x.example.frame;
        expect(frame, JSON.stringify(x.example)).toBeTypeOf("number");
        const row = rows.get(frame!)!;
        const at = `${x.protocol}/${x.port} ${x.src} -> ${x.dst}: frame ${frame}`;
        expect(row, at).toBeDefined();
        // The finding is keyed from the originator; its first packet goes that way.
        expect(row.ipSrc[0] ?? row.ipv6Src[0], at).toBe(x.src);
        expect(row.ipDst[0] ?? row.ipv6Dst[0], at).toBe(x.dst);
        if (x.protocol === "tcp" || x.protocol === "udp") expect(Number((x.protocol === "tcp" ? row.tcpDstport : row.udpDstport)[0]), at).toBe(x.port);
        expect(records.find((rec) => rec.frame === frame)?.position, at).toBe(x.example.offset);
      }
      const rdp = report.findings.find((x) => x.port === 3389)!;
      expect(exampleWhere(rdp.example)).toMatch(new RegExp(`^${path.replace(/\./g, "\\.")} frame \\d+ \\(byte \\d+\\)$`));
    });
  }

  it("the text report and events give the frame and the offset; a log gives file:line", async () => {
    const path = "fixtures/pcap/samba-ad-lab/ad-client.pcap";
    const t = await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/pcap/samba-ad-lab/inventory.yaml", path]);
    expect(t.stdout).toMatch(/first at fixtures\/pcap\/samba-ad-lab\/ad-client\.pcap frame \d+ \(byte \d+\)/);
    const ev = await runCli(["events", path]);
    const first = JSON.parse(ev.stdout.split("\n")[0]!) as { offset: number; frame: number };
    expect(first).toMatchObject({ offset: 226, frame: 4 });
    const log = await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "fixtures/kcps/kern.log"]);
    expect(log.stdout).toMatch(/first at fixtures\/kcps\/kern\.log:13\n/);
    // A report written before frame numbers existed still reads: the offset alone.
    expect(exampleWhere({ input: "a.pcap", offset: 529 })).toBe("a.pcap@529");
    // A flow export's records are no packets of the capture: an offset, no frame.
    const flows = (await runCli(["events", "fixtures/flows/ad-client.v9.pcap"])).stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(flows.length).toBeGreaterThan(0);
    for (const f of flows) expect(f).not.toHaveProperty("frame");
    expect(flows[0]).toHaveProperty("offset");
  });
});
