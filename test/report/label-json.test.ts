import { describe, expect, it } from "vitest";
import { LabelJson } from "../../src/report/finding-view.js";

/** Every evidence label's JSON is cut out of one JSON.stringify of them all (report/finding-view.ts). */
describe("LabelJson", () => {
  const hostile = [
    "", "FW-DROP", '"', '\\', '\\"', '"\\', 'a","b', '\\\\"', "ラベル\u0007\u001f", "\u2028line\r\nbreak", "é\"é", "[", "]", ",", "\ud83d\ude00 emoji",
    "lone \ud800 surrogate", 'ends with a backslash \\', "x".repeat(5000),
  ];

  it("gives each label's bytes as JSON.stringify encodes the label alone", () => {
    const labels = new LabelJson(hostile);
    hostile.forEach((text, g) => {
      const got = labels.bytes.subarray(labels.start[g]!, labels.end[g]!).toString("utf8");
      expect(got).toBe(JSON.stringify(text));
    });
  });

  it("holds for many generated labels", () => {
    const alphabet = ['"', "\\", ",", "a", "é", "\u0001", "\u2028", "\ud83d\ude00", "]"];
    let s = 7;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
    const texts = Array.from({ length: 3000 }, () => Array.from({ length: Math.floor(rnd() * 12) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join(""));
    const labels = new LabelJson(texts);
    texts.forEach((text, g) => {
      const got = labels.bytes.subarray(labels.start[g]!, labels.end[g]!).toString("utf8");
      if (got !== JSON.stringify(text)) expect.fail(`label ${g}: ${got} where JSON.stringify gives ${JSON.stringify(text)}`);
    });
  });

  it("has no labels when there are none", () => {
    const labels = new LabelJson([]);
    expect(labels.start.length).toBe(0);
    expect(labels.bytes.toString()).toBe("[]");
  });
});
