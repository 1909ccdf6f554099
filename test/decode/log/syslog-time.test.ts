import { describe, it, expect } from "vitest";
import { priorityEnd, readTime, rfc5424MessageStart, skipPriority, versionEnd } from "../../../src/decode/log/syslog-time.js";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

/** Read the stamp at the start of `s`; the rest of the line after it, for checking `next`. */
function read(s: string, year = 2026, now = NOW): { iso: string | null; rest: string } {
  const b = Buffer.from(s);
  const t = readTime(b, 0, b.length, year, now);
  return { iso: Number.isNaN(t.time) ? null : new Date(t.time).toISOString(), rest: s.slice(t.next) };
}

describe("syslog-time: RFC 3164 stamps", () => {
  it.each([
    ["Nov 23 09:12:01 host kernel:", "2026-11-23T09:12:01.000Z"],
    ["Jan  5 20:17:05 host kernel:", "2026-01-05T20:17:05.000Z"],
    ["Mar 8 22:35:42 host kernel:", "2026-03-08T22:35:42.000Z"],
    ["oct 10 07:25:12 host kernel:", "2026-10-10T07:25:12.000Z"],
    ["Nov 23 09:12:01.123456 host kernel:", "2026-11-23T09:12:01.123Z"],
  ])("%s", (s, iso) => {
    expect(read(s)).toEqual({ iso, rest: "host kernel:" });
  });

  it("takes the year it is given", () => {
    expect(read("Feb 29 12:00:00 x", 2024, Date.UTC(2024, 11, 1)).iso).toBe("2024-02-29T12:00:00.000Z");
  });

  it("rolls a stamp more than a day in the future back a year (a December log read in January)", () => {
    const jan2 = Date.UTC(2027, 0, 2, 8, 0, 0);
    expect(read("Dec 31 23:59:59 x", 2027, jan2).iso).toBe("2026-12-31T23:59:59.000Z");
    expect(read("Jan  1 00:00:01 x", 2027, jan2).iso).toBe("2027-01-01T00:00:01.000Z");
    // Less than a day ahead (a clock a little fast, another time zone) stays in this year.
    expect(read("Jan  2 20:00:00 x", 2027, jan2).iso).toBe("2027-01-02T20:00:00.000Z");
  });

  it.each([
    ["Foo 23 09:12:01 x"],
    ["Nov 32 09:12:01 x"],
    ["Nov 23 0912:01 x"],
    ["Nov 23"],
    ["[ 7245.875896] pmlab-kcps ACCEPT"],
    [""],
  ])("finds no stamp in %j and leaves the offset where it was", (s) => {
    expect(read(s)).toEqual({ iso: null, rest: s });
  });
});

describe("syslog-time: RFC 3339 / ISO 8601 stamps", () => {
  it.each([
    ["2021-03-12T14:10:18Z host", "2021-03-12T14:10:18.000Z"],
    ["2021-03-12T14:10:18z host", "2021-03-12T14:10:18.000Z"],
    ["2026-11-23T09:11:00.875896+00:00 pmlab-fw", "2026-11-23T09:11:00.875Z"],
    ["2026-11-23T09:11:00.123+09:00 host", "2026-11-23T00:11:00.123Z"],
    ["2026-11-23T09:11:00-05:30 host", "2026-11-23T14:41:00.000Z"],
    ["2026-11-23T09:11:00+0900 host", "2026-11-23T00:11:00.000Z"],
    ["2026-11-23T09:11:00+09 host", "2026-11-23T00:11:00.000Z"],
    ["2026-11-23T09:11:00,5Z host", "2026-11-23T09:11:00.500Z"],
    ["2026-11-23 09:11:00 host", "2026-11-23T09:11:00.000Z"],
    ["2026-11-23T09:11:00 host", "2026-11-23T09:11:00.000Z"],
    ["2016-12-31T23:59:60Z host", "2017-01-01T00:00:00.000Z"],
  ])("%s", (s, iso) => {
    expect(read(s)).toEqual({ iso, rest: s.endsWith("pmlab-fw") ? "pmlab-fw" : "host" });
  });

  it("is not fooled by a year that is not a date", () => {
    expect(read("2026-13-01T00:00:00Z x").iso).toBeNull();
    expect(read("2026-11-23X09:11:00Z x").iso).toBeNull();
    expect(read("2026 was a year").iso).toBeNull();
  });

  it("reads a stamp that ends the line", () => {
    expect(read("2026-11-23T09:11:00Z")).toEqual({ iso: "2026-11-23T09:11:00.000Z", rest: "" });
  });
});

describe("syslog-time: priority, version and the RFC 5424 header", () => {
  const b = (s: string) => Buffer.from(s);

  it("skips <PRI> and the RFC 5424 version", () => {
    const s = "<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - msg";
    expect(priorityEnd(b(s), 0, s.length)).toBe(4);
    expect(versionEnd(b(s), 4, s.length)).toBe(6);
    expect(skipPriority(b(s), 0, s.length)).toBe(6);
    // RFC 3164 after <PRI>: no version.
    const t = "<161>Oct 10 07:25:12 host";
    expect(skipPriority(b(t), 0, t.length)).toBe(5);
    // A nil timestamp after the version.
    const u = "<6>1 - host kernel - - - text";
    expect(skipPriority(b(u), 0, u.length)).toBe(5);
  });

  it.each([
    ["<>Oct", 0],
    ["<123456>Oct", 0],
    ["<13", 0],
    ["Oct", 0],
  ])("takes %j as no priority", (s, at) => {
    expect(priorityEnd(b(s), 0, s.length)).toBe(at);
  });

  it("does not take a day of the month for a version", () => {
    const s = "<6>2021-03-12T14:10:18Z Hostname kernel:";
    expect(skipPriority(b(s), 0, s.length)).toBe(3);
  });

  it.each([
    ["host kernel - - - MSG", "MSG"],
    ['host kernel - - [meta sequenceId="1"] MSG', "MSG"],
    ['host kernel 12 ID47 [a x="1"][b y="a \\] b" z="\\""] MSG', "MSG"],
    ["host kernel - - - \u{feff}MSG", "MSG"],
    ["host kernel - - -", ""],
  ])("finds the MSG of %j", (s, msg) => {
    const buf = b(s);
    const at = rfc5424MessageStart(buf, 0, buf.length);
    expect(buf.toString("utf8", at)).toBe(msg);
  });

  it.each([["host kernel - MSG"], ["host kernel - - [unterminated MSG"], ["host kernel - - x MSG"]])("refuses %j", (s) => {
    expect(rfc5424MessageStart(b(s), 0, s.length)).toBe(-1);
  });
});
