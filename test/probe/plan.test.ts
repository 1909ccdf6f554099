import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { tmpFiles } from "../helpers/tmp.js";
import { setupCheck } from "../../src/pipeline/check.js";
import { planProbe } from "../../src/probe/plan.js";
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "../../src/decode/batch.js";

describe("probe plan", () => {
  const setup = setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map());
  const plan = planProbe(setup.rules, setup.inventory, "kcps-fs-ad", 16);
  const find = (dst: string, proto: number, port: number) => plan.targets.filter((t) => t.dst === dst && t.proto === proto && t.port === port);

  it("tries each address, protocol and port once, naming every rule that asks for it", () => {
    const keys = plan.targets.map((t) => `${t.dst}/${t.proto}/${t.port}`);
    expect(new Set(keys).size).toBe(keys.length);
    // The customer AD (table 1 and table 2), and the customer DNS (the trust-creation sequence note).
    expect(plan.targets.every((t) => ["10.99.1.10", "fd00:99:1::10", "10.99.1.53"].includes(t.dst))).toBe(true);
    expect(find("10.99.1.53", PROTO_UDP, 53)).toMatchObject([{ rules: ["dns-kcps-fs-ad-to-customer-dns"] }]);
    expect(find("10.99.1.10", PROTO_TCP, 135)).toMatchObject([{ rules: ["rpc-kcps-fs-ad-to-customer-ad", "trust-rpc-epmap"] }]);
  });

  it("keeps a rule's client ports, unless another rule asks for the same port from any", () => {
    expect(find("10.99.1.10", PROTO_UDP, 123)).toMatchObject([{ rules: ["trust-w32time"], sourcePorts: [[49152, 65535]] }]);
    expect(find("10.99.1.10", PROTO_TCP, 389)).toMatchObject([{ rules: ["trust-ldap"], sourcePorts: [[49152, 65535]] }]);
    expect(find("10.99.1.10", PROTO_TCP, 135)[0]!.sourcePorts).toBeNull();
  });

  it("sends ICMP echo in the host's own family, and lists wide ranges as not probed, once per rule and host", () => {
    expect(find("10.99.1.10", PROTO_ICMP, 8)).toHaveLength(1);
    expect(find("fd00:99:1::10", PROTO_ICMPV6, 128)).toHaveLength(1);
    expect(find("fd00:99:1::10", PROTO_ICMP, 8)).toHaveLength(0);
    expect(plan.notProbed).toEqual([
      { reason: "range-not-probed", text: "rule rpc-kcps-fs-ad-to-customer-ad: 10.99.1.10 tcp 49152-65535 not probed (range of 16384 ports)" },
      { reason: "range-not-probed", text: "rule rpc-kcps-fs-ad-to-customer-ad: fd00:99:1::10 tcp 49152-65535 not probed (range of 16384 ports)" },
      { reason: "range-not-probed", text: "rule trust-rpc-dynamic: 10.99.1.10 tcp 49152-65535 not probed (range of 16384 ports)" },
      { reason: "range-not-probed", text: "rule trust-rpc-dynamic: fd00:99:1::10 tcp 49152-65535 not probed (range of 16384 ports)" },
    ]);
    expect(planProbe(setup.rules, setup.inventory, "kcps-fs-ad", 20000).notProbed).toEqual([]);
  });

  it("lists a destination prefix as not probed, once per rule", () => {
    const dir = tmpFiles({ "inv.yaml": "roles:\n  kcps-fs: [10.99.2.0/24, 10.99.2.10]\n  file-share-client: [10.99.1.0/24]\n" });
    const s = setupCheck("kcps-file-server", join(dir, "inv.yaml"), ["browse"], new Map());
    const p = planProbe(s.rules, s.inventory, "file-share-client", 16);
    expect(p.notProbed.filter((n) => n.reason === "prefix-not-probed").map((n) => n.text)).toEqual([
      "rule icmp-client-to-kcps-fs: 10.99.2.0/24 (kcps-fs) is a prefix, not probed",
      "rule smb-client-to-kcps-fs: 10.99.2.0/24 (kcps-fs) is a prefix, not probed",
      "rule netbios-client-to-kcps-fs: 10.99.2.0/24 (kcps-fs) is a prefix, not probed",
      "rule kerberos-client-to-kcps-fs: 10.99.2.0/24 (kcps-fs) is a prefix, not probed",
    ]);
    expect(new Set(p.targets.map((t) => t.dst))).toEqual(new Set(["10.99.2.10"]));
  });
});
