import { it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPing } from "../../src/cli/probe.js";
import { describeNeeding, needNetns, needRoot, needTool } from "../helpers/need.js";
import { parseReport } from "../helpers/report.js";

/**
 * The installed command in a real network: fixtures/lab/probe-lab.sh builds a client, a router with
 * an nftables firewall that drops, resets and rejects with admin-prohibited, and real listeners, in
 * network namespaces; `node bin/portmatrix.js probe` runs inside the client namespace. Needs root, ip,
 * nft and python3 (the lab), ping (the echo is sent through it) and tcpdump (the capture proving that
 * only inventory addresses were contacted); test/helpers/need.ts says what happens when one is missing.
 * Without ping, probe's inconclusive echo is tested in loopback.test.ts.
 */
/** Newest modification time of the TypeScript sources (dist is stale when it is older). */
function newestSource(dir = "src"): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : e.name.endsWith(".ts") ? statSync(p).mtimeMs : 0);
  }
  return t;
}

interface Expected { dst: string; protocol: string; port: number | null; outcome: string }

/** The evidence each outcome must show (src/probe/attempt.ts). */
const EVIDENCE: Record<string, RegExp> = {
  reachable: /^probe: tcp connect ok in \d+ ms$/,
  answered: /^probe: dns answered in \d+ ms \(NOERROR, 0 answers\)$/,
  refused: /^probe: connection refused \(RST from [0-9a-f.:]+\)/,
  filtered: /^probe: no answer in 1\.5 s \(filtered\)$/,
  unanswered: /^probe: nbns request unanswered in 1\.5 s \(filtered or not listening\)$/,
  unreachable: /^probe: port unreachable \(ICMP\)/,
};

describeNeeding([needRoot, () => needTool("ip", "nft", "python3", "ping", "tcpdump"), needNetns], "probe through a real nftables firewall (netns lab)", () => {
  it("tells reachable, refused, filtered and admin-prohibited apart, and contacts only inventory addresses", () => {
    // `npm test` builds dist first; on its own this test builds it when a source is newer. Another
    // change in the tree may not type-check yet: tsc still emits, and probe is what is tested here.
    // bin/portmatrix.js runs the bundle, made from tsc's output by scripts/build.mjs.
    const built = ["dist/cli/main.js", "dist/cli/probe.js", "dist/probe/run.js", "dist/bundle/portmatrix.cjs"];
    const fresh = built.every((f) => existsSync(f) && statSync(f).mtimeMs >= newestSource());
    const build = fresh ? undefined : spawnSync("sh", ["-c", "npx tsc -p tsconfig.json; node scripts/build.mjs"], { encoding: "utf8", timeout: 120_000 });
    expect(built.every((f) => existsSync(f)), `${build?.stdout ?? ""}${build?.stderr ?? ""}`).toBe(true);
    const state = mkdtempSync(join(tmpdir(), "portmatrix-probe-lab-"));
    let ns = "";
    try {
      ns = execFileSync("bash", ["fixtures/lab/probe-lab.sh", "up", state], {
        encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PROBE_LAB_CAPTURE: "1" },
      }).trim();
      expect(ns).toMatch(/^pbc-[0-9a-f]{6}$/);
      // --timeout 1.5 s, above the kernel's first SYN retransmission (1 s): over veth the router's
      // ICMPv6 error for the first SYN arrives while connect() still holds the socket, so Linux keeps it
      // as a soft error (TcpExtLockDroppedIcmps); the retransmission's error then aborts the connect.
      const r = spawnSync("ip", ["netns", "exec", ns, "node", "bin/portmatrix.js", "probe", "--as", "file-share-client", "-r", "kcps-file-server",
        "-i", join(state, "inventory.yaml"), "--format", "json", "--timeout", "1500"], { encoding: "utf8", timeout: 30_000 });
      expect(r.status, r.stderr).toBe(1);
      const rep = parseReport(r.stdout);
      const expected = JSON.parse(readFileSync(join(state, "expected.json"), "utf8")) as Expected[];
      expect(findPing(process.env), "probe finds the ping that PATH has").not.toBeNull();
      for (const x of expected) {
        const f = rep.findings.filter((y) => y.dst === x.dst && y.protocol === x.protocol && (x.port === null ? y.port === null : y.port === x.port));
        const what = `${x.dst} ${x.protocol} ${x.port ?? "echo"} (${x.outcome})`;
        expect(f, what).toHaveLength(1);
        const ev = f[0]!.evidence[0]!;
        expect(f[0]!.src, what).toBe(x.dst.includes(":") ? "fd00:98:1::100" : "10.98.1.100");
        expect(f[0]!.srcRole, what).toBe("file-share-client");
        if (x.outcome === "admin-prohibited") {
          expect(ev, what).toMatch(x.dst.includes(":") ? /^probe: administratively prohibited \(EACCES\)/ : /^probe: host unreachable \(EHOSTUNREACH\)/);
          expect(f[0]!.verdict, what).toBe("blocked-required");
        } else if (x.outcome === "echo") {
          expect([f[0]!.verdict, ev], what).toEqual(["allowed-required", expect.stringMatching(/^probe: echo reply in [\d.]+ ms$/)]);
        } else {
          expect(ev, what).toMatch(EVIDENCE[x.outcome]!);
          expect(f[0]!.verdict, what).toBe(x.outcome === "reachable" || x.outcome === "answered" ? "allowed-required" : "blocked-required");
        }
      }
      expect(rep.inputs[0]).toMatchObject({ path: "probe", format: "probe", skippedByReason: { "range-not-probed": 2 } });
      expect(rep.findings.every((f) => f.srcRole === "file-share-client")).toBe(true);
      expect(r.stderr).toMatch(/rule rpc-client-to-kcps-fs: 10\.98\.2\.10 tcp 49152-65535 not probed \(range of 16384 ports\)/);
      // The inventory's file-share-client prefixes hold the client's addresses already.
      expect(r.stderr).not.toMatch(/is not listed under/);

      execFileSync("bash", ["fixtures/lab/probe-lab.sh", "down", state], { timeout: 30_000 });
      // Every packet the client sent (other than the kernel's neighbour discovery and MLD) went to an
      // inventory address.
      const inventory = ["10.98.2.10", "fd00:98:2::10", "10.98.2.20", "10.98.2.53"];
      const ev = spawnSync("node", ["bin/portmatrix.js", "events", "--packets", join(state, "capture.pcap")], { encoding: "utf8" });
      const sent = ev.stdout.trim().split("\n").map((l) => JSON.parse(l) as { src: string; dst: string; protocol: string; icmpType: number | null })
        .filter((p) => p.src === "10.98.1.100" || p.src === "fd00:98:1::100")
        .filter((p) => !(p.protocol === "icmpv6" && p.icmpType !== null && ((p.icmpType >= 130 && p.icmpType <= 137) || p.icmpType === 143)));
      expect(sent.length).toBeGreaterThan(20);
      expect([...new Set(sent.map((p) => p.dst))].sort()).toEqual([...inventory].sort());
    } finally {
      execFileSync("bash", ["fixtures/lab/probe-lab.sh", "down", state], { timeout: 30_000 });
    }
    const tag = ns.slice(4);
    expect(spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout).not.toContain(tag);
  }, 90_000);
});
