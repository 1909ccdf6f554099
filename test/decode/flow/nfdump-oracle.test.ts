import { describe, it, expect } from "vitest";
import { exportRecords, nfdumpCsvRecords, nfdumpJsonRecords, nfdumpView, notAFlow, expectedOf, comparable, sortByKey, ms, expectNfdumpView } from "./flow-helpers.js";

/**
 * Every flow of every export fixture, decoded from the export datagrams in the capture, equals what
 * nfdump (nfcapd's store of the same export, printed with -o json) shows, field by field; nfdump's own
 * JSON and CSV, read by our nfdump decoders, give the same records again. The differences are the ones
 * PROVENANCE.md lists, each pinned here.
 */
const SESSIONS = [
  "ad-client.v5", "ad-client.v9", "ad-client.v10", "ad-client.v10-biflow",
  "kcps-customer-side.v5", "kcps-customer-side.v9", "kcps-customer-side.v10", "kcps-customer-side.v10-biflow",
  "ad-client.pmacct-v9", "ad-client.pmacct-v10", "kcps-customer-side.pmacct-v9", "kcps-customer-side.pmacct-v10",
  "asa-nsel-1", "asa-nsel-2", "yaf", "barracuda",
];

describe("flow records from export captures equal nfdump's view of the same export", () => {
  for (const name of SESSIONS) {
    it(`${name}: every flow as nfdump shows it, and nothing else`, () => {
      expectNfdumpView(exportRecords(name), nfdumpView(name), name);
    });
  }
});

describe("nfdump's JSON and CSV, read by portmatrix, give the same records as the export", () => {
  for (const name of SESSIONS) {
    it(`${name}: JSON`, () => {
      const fromJson = nfdumpJsonRecords(name).records;
      const nf = nfdumpView(name).filter((f) => notAFlow(f) === undefined);
      expect(sortByKey(fromJson.map((r) => comparable(r)))).toEqual(sortByKey(nf.map(expectedOf).map((e) => ({ ...e, start: Math.round(e.start) }))));
    });
    it(`${name}: CSV (times to the second, as nfdump 1.7 prints them)`, () => {
      const fromCsv = nfdumpCsvRecords(name).records.map((r) => comparable(r));
      const fromJson = nfdumpJsonRecords(name).records.map((r) => comparable(r));
      // The CSV's ts is the JSON's first, cut to the second (1.7.1 prints the record's first time).
      const sec = (x: ReturnType<typeof comparable>) => ({ ...x, start: x.start === x.start ? Math.floor(x.start / 1000) : NaN });
      const jsonFirst = nfdumpView(name).filter((f) => notAFlow(f) === undefined).map((f) => ms(f.first));
      expect(fromCsv.length).toBe(fromJson.length);
      expect(sortByKey(fromCsv.map(sec)).map((x) => ({ ...x, start: 0 }))).toEqual(sortByKey(fromJson.map(sec)).map((x) => ({ ...x, start: 0 })));
      expect(fromCsv.map((x) => x.start).sort()).toEqual(jsonFirst.map((t) => (t === t ? Math.floor(t / 1000) * 1000 : NaN)).sort());
    });
  }
});

describe("NSEL and IPFIX firewall events are the decision", () => {
  it("a real ASA's created, updated and deleted flows are allowed, stated by the record; nfdump shows the same events", () => {
    for (const name of ["asa-nsel-1", "asa-nsel-2"]) {
      const { records } = exportRecords(name);
      const events = nfdumpView(name).filter((f) => notAFlow(f) === undefined).map((f) => f.event);
      expect(records.every((r) => r.decided === 1 && r.action === 1), name).toBe(true);
      const labels = records.map((r) => /^NSEL flow (created|deleted|updated)/.exec(r.label ?? "")?.[1]);
      const nfNames: Record<string, string> = { CREATE: "created", DELETE: "deleted", UPDATE: "updated" };
      expect(labels.sort()).toEqual(events.map((e) => nfNames[e!]).sort());
      expect(nfdumpJsonRecords(name).records.every((r) => r.decided === 1 && r.action === 1)).toBe(true);
    }
  });
  it("Barracuda's IPFIX firewallEvent (IE 233) is read the same way", () => {
    const { records } = exportRecords("barracuda");
    expect(records.length).toBe(8);
    expect(records.every((r) => r.decided === 1 && r.label?.startsWith("firewallEvent flow"))).toBe(true);
  });
});

describe("what the accounting says of templates and enterprise fields", () => {
  it("YAF: 14 templates, an options template and its record, 18 CERT enterprise fields left unread and counted", () => {
    const { decoder, records } = exportRecords("yaf");
    expect(records.length).toBe(2);
    expect(decoder.stats.skippedObject()).toEqual({ "options-record": 1, "options-template": 1, template: 14 });
    expect(decoder.stats.notesObject()).toEqual({ datagrams: 5, "enterprise-fields:6871": 18 });
  });
  it("every export decodes the same whatever the chunks the capture is read in", () => {
    for (const name of SESSIONS) {
      const whole = exportRecords(name).records;
      for (const chunk of [1, 7, 100]) expect(exportRecords(name, chunk).records, `${name} in ${chunk}-byte chunks`).toEqual(whole);
    }
  });
});
