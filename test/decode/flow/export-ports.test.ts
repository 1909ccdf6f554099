import { describe, it, expect } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.js";

/**
 * An exporter configured for a port of its own: softflowd's v9 export of the kcps capture with its
 * datagrams' UDP destination port moved from 9995 to 6343. Without `--netflow-port` it is a capture of
 * UDP traffic, read as such; with it, the same flows as from 9995.
 */
describe("--netflow-port: exports to a port of the user's", () => {
  const original = readFileSync("fixtures/flows/kcps-customer-side.v9.pcap");
  const moved = Buffer.from(original);
  // Classic pcap, Ethernet, IPv4 without options: the UDP destination port is at record + 16 + 14 + 20 + 2.
  for (let o = 24; o < moved.length; o += 16 + moved.readUInt32LE(o + 8)) {
    expect(moved.readUInt16BE(o + 16 + 36)).toBe(9995);
    moved.writeUInt16BE(6343, o + 16 + 36);
  }
  const file = join(mkdtempSync(join(tmpdir(), "portmatrix-export-port-")), "exports-6343.pcap");
  writeFileSync(file, moved);

  it("without it, the datagrams are UDP packets of a capture", async () => {
    const r = await runCli(["events", "--packets", file]);
    expect(r.stderr).toMatch(/exports-6343\.pcap \(pcap\): 2 read, 2 used, 0 skipped/);
  });
  it("with it, the flows the same export gives on 9995, record for record", async () => {
    const [a, b] = await Promise.all([runCli(["events", "--packets", "--netflow-port", "6343", file]), runCli(["events", "--packets", "fixtures/flows/kcps-customer-side.v9.pcap"])]);
    const flows = (s: string) => s.trim().split("\n").map((l) => { const { input: _i, ...rest } = JSON.parse(l) as Record<string, unknown>; return rest; });
    expect(flows(a.stdout)).toEqual(flows(b.stdout));
    expect(flows(a.stdout).length).toBe(22);
    expect(a.stderr).toContain("exports-6343.pcap (netflow): 37 read, 22 used, 15 skipped");
  });
});
