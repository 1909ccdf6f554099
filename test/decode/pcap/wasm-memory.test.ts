/**
 * The WebAssembly pcap decoder's memory that cannot be made (a process address-space limit, ulimit -v,
 * below what V8 reserves for a WebAssembly memory): one line naming the input and the way round it,
 * exit 2, not "truncated pcap file header" (which the decoder's end used to add once the header had been
 * read and the memory then failed).
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";

describe("the WebAssembly pcap decoder under an address-space limit", () => {
  it("names the input and PORTMATRIX_PCAP_DECODER=js, exit 2; the JS decoder reads the capture", () => {
    const args = ["--as=" + 4 * 1024 ** 3, "node", "bin/portmatrix.js", "check", "-r", "kcps-file-server", "-i", "fixtures/pcap/samba-ad-lab/inventory.yaml", "--format", "json", "fixtures/pcap/samba-ad-lab/ad-client.pcap"];
    const r = spawnSync("prlimit", args, { encoding: "utf8", env: { ...process.env, PORTMATRIX_PCAP_DECODER: "wasm" } });
    // prlimit is util-linux's: a test machine without it fails here, it does not skip.
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("fixtures/pcap/samba-ad-lab/ad-client.pcap: cannot make the WebAssembly pcap decoder's memory (");
    expect(r.stderr).toContain("PORTMATRIX_PCAP_DECODER=js reads the capture without it");
    expect(r.stderr).not.toContain("truncated pcap file header");
    const js = spawnSync("prlimit", args, { encoding: "utf8", env: { ...process.env, PORTMATRIX_PCAP_DECODER: "js" } });
    expect(js.status).toBe(1);
    expect(JSON.parse(js.stdout).findings.length).toBeGreaterThan(0);
  });
});
