import { describe, it, expect } from "vitest";
import { createTextDecoder, type TextFormatSpec } from "../../../src/decode/log/text-format.js";
import { ACTION_ALLOWED } from "../../../src/decode/batch.js";
import { decode, options } from "./helpers.js";

describe("the shared text frame", () => {
  it("a record holding more flows than a batch holds loses none of them", () => {
    const many: TextFormatSpec = {
      name: "many",
      doc: { detectedBy: "test", notes: "test" },
      sniff: () => true,
      parse: (line) => Array.from({ length: Number(line) }, (_, i) => ({ src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", sport: 40000, dport: 1 + (i % 65000), action: ACTION_ALLOWED })),
    };
    const run = decode(() => createTextDecoder(many, options()), Buffer.from("20000\n3\n"));
    expect(run.events).toHaveLength(20003);
    expect(run.stats).toMatchObject({ read: 2, used: 2, skipped: {} });
  });
  it("an empty protocol field is an unknown protocol, not IP protocol 0", () => {
    const blank: TextFormatSpec = { name: "blank", doc: { detectedBy: "test", notes: "test" }, sniff: () => true, parse: () => ({ src: "10.0.0.1", dst: "10.0.0.2", proto: "", dport: 80, action: ACTION_ALLOWED }) };
    const run = decode(() => createTextDecoder(blank, options()), Buffer.from("x\n"));
    expect(run.events).toHaveLength(0);
    expect(run.stats.skipped).toEqual({ "unknown-protocol": 1 });
  });
});
