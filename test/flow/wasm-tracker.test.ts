/**
 * The flow tracker's per-packet path in WebAssembly (assembly/tracker.ts, src/flow/wasm-tracker.ts)
 * against the JS tracker, the reference (src/flow/tracker.ts): over the WebAssembly pcap decoder's
 * batches of every classic pcap of fixtures/ and of the corpus, of generated captures (keys repeating
 * in both directions, ICMP errors and control messages, thousands of connections alive at once) and of
 * mutated and cut copies, both must give the same finished-connection batches (every column, both
 * label texts, batch boundaries and order), the same TrackerStats, the same notFlow calls in order and
 * the same error; with the default timeouts and with tiny ones (expiry on lookup, eviction, sweeps), and
 * with the decoder's batches cut at many sizes. `check` must print the same report with either.
 */
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { createBatch, reserve, type EventBatch } from "../../src/decode/batch.js";
import { createPcapDecoder } from "../../src/decode/pcap/classic.js";
import { createWasmPcapDecoder } from "../../src/decode/pcap/wasm.js";
import { createConnectionDecoder } from "../../src/flow/capture-decoder.js";
import { DEFAULT_TIMEOUTS, FlowTracker, type FlowTimeouts } from "../../src/flow/tracker.js";
import { WasmTrackerCore, trackerEngine, trackerWasmModule } from "../../src/flow/wasm-tracker.js";
import { runCli } from "../helpers/cli.js";
import { flowCapture } from "../helpers/flow-captures.js";
import { corpusDir, describeNeeding, needCorpus, REPO_ROOT } from "../helpers/need.js";
import { pcapFiles } from "../helpers/pcap-files.js";
import { tmpFiles } from "../helpers/tmp.js";
import { mutate, prng } from "../decode/pcap/mutate.js";

const COLUMNS = [
  "family", "proto", "srcPort", "dstPort", "icmpType", "icmpCode", "tcpFlags", "action", "time", "position", "frame",
  "label", "blockedBy", "ttl", "iface", "tcpSeq", "history", "count", "payloadLength",
] as const;

const TINY: FlowTimeouts = { tcp: 40, udp: 25, icmp: 10, unansweredAfter: 15, duplicateWindow: 3 };
const ZERO: FlowTimeouts = { tcp: 0, udp: 0, icmp: 0, unansweredAfter: 0, duplicateWindow: 0 };
const TIMEOUTS: readonly [string, FlowTimeouts][] = [["default", DEFAULT_TIMEOUTS], ["tiny", TINY], ["zero", ZERO]];

interface Tracked {
  wasm: boolean;
  /** The module read the decoder's batches in the decoder's memory. */
  shared: boolean;
  /** Each batch's length, then its rows, in the order emitted. */
  out: unknown[];
  notFlow: unknown[];
  stats: unknown;
  error: string | undefined;
}

/**
 * `data` through the WebAssembly pcap decoder (batches of `capacity`) and the tracker on `engine`, as
 * createConnectionDecoder joins them; `initial`: the tracker's record reservation (FlowTracker);
 * `share`: the module shares the decoder's memory and reads its batches in place (as
 * createConnectionDecoder has it), else it has a memory of its own and each batch is copied in.
 */
function track(data: Buffer, engine: "js" | "wasm" | "auto", timeouts: FlowTimeouts, capacity: number, initial?: number, share = false, memoise = true): Tracked {
  const packets = createWasmPcapDecoder("f.pcap", { batchCapacity: capacity });
  const tracker = new FlowTracker(timeouts, undefined, initial);
  tracker.engine = engine;
  tracker.memoise = memoise;
  if (share) tracker.shareMemory = packets.shareMemory;
  const notFlow: unknown[] = [];
  tracker.notFlow = (reason, position) => notFlow.push([reason, position]);
  const out: unknown[] = [];
  const emit = (b: EventBatch) => {
    out.push(b.length);
    for (let i = 0; i < b.length; i++) {
      const row: unknown[] = COLUMNS.map((c) => b[c][i]);
      row.push(...b.src.subarray(i * 4, i * 4 + 4), ...b.dst.subarray(i * 4, i * 4 + 4), b.labels.get(b.label[i]!), b.labels.get(b.history[i]!));
      out.push(row);
    }
  };
  let error: string | undefined;
  try {
    packets.push(data, (b) => tracker.addPackets(b, emit));
    try {
      packets.end((b) => tracker.addPackets(b, emit));
    } finally {
      tracker.end(emit);
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  lastFinalise = tracker.moduleFinalise;
  return { wasm: tracker.usesWasm, shared: tracker.sharesMemory, out, notFlow, stats: { ...tracker.stats, live: tracker.liveConnections }, error };
}
/** The module's memo and sweeps of the last `track` (FlowTracker.moduleFinalise). */
let lastFinalise: FlowTracker["moduleFinalise"];

/** The two trackers agree on `data` with each timeout set and batch size; returns the connections seen. */
function expectSame(data: Buffer, what: string, capacities: readonly number[] = [8192, 1, 3], timeouts = TIMEOUTS, initial?: number): number {
  let conns = 0;
  for (const [name, t] of timeouts) {
    for (const c of capacities) {
      const js = track(data, "js", t, c, initial);
      expect(js.wasm).toBe(false);
      // The module in a memory of its own (batches copied in) and in the decoder's (read in place).
      for (const share of [false, true]) {
        const wasm = track(data, "wasm", t, c, initial, share);
        // A capture refused at its file header reaches no tracker.
        if (js.out.length > 0 || js.notFlow.length > 0) expect(wasm.wasm, `${what}: the module took over`).toBe(true);
        if (wasm.wasm) expect(wasm.shared, `${what}: the module shares the decoder's memory`).toBe(share);
        expect({ ...wasm, wasm: false, shared: false }, `${what}, ${name} timeouts, batches of ${c}, ${share ? "shared" : "own"} memory`).toEqual(js);
      }
      conns = Math.max(conns, (js.stats as { connections: number }).connections);
    }
  }
  return conns;
}

const FIXTURE_PCAPS = pcapFiles(join(REPO_ROOT, "fixtures"));

describe("the flow tracker in WebAssembly", () => {
  it("was built by npm run build and is chosen where the WebAssembly pcap decoder reads a capture of more than one batch", () => {
    expect(trackerWasmModule()).toBeDefined();
    expect(trackerEngine({})).toBe("auto");
    expect(trackerEngine({ PORTMATRIX_TRACKER: "js" })).toBe("js");
    expect(trackerEngine({ PORTMATRIX_TRACKER: "wasm" })).toBe("wasm");
    const data = flowCapture(1, 300);
    let shared = false;
    const used = (make: () => ReturnType<typeof createConnectionDecoder>): boolean => {
      const d = make();
      d.push(data, () => undefined);
      d.end(() => undefined);
      shared = d.tracker.sharesMemory;
      return d.tracker.usesWasm;
    };
    // auto: not for a capture within one batch (the module's start is not worth it), yes beyond.
    expect(used(() => createConnectionDecoder(createWasmPcapDecoder("f.pcap")))).toBe(false);
    expect(used(() => createConnectionDecoder(createWasmPcapDecoder("f.pcap", { batchCapacity: 100 })))).toBe(true);
    // ... in the decoder's memory, reading its batches in place.
    expect(shared).toBe(true);
    // Never over the JS decoder's batches.
    expect(used(() => createConnectionDecoder(createPcapDecoder("f.pcap", { batchCapacity: 100 })))).toBe(false);
    const old = process.env.PORTMATRIX_TRACKER;
    process.env.PORTMATRIX_TRACKER = "js";
    try {
      expect(used(() => createConnectionDecoder(createWasmPcapDecoder("f.pcap", { batchCapacity: 100 })))).toBe(false);
    } finally {
      if (old === undefined) delete process.env.PORTMATRIX_TRACKER;
      else process.env.PORTMATRIX_TRACKER = old;
    }
  });

  it("finds classic pcap fixtures to compare on", () => {
    expect(FIXTURE_PCAPS.length).toBeGreaterThan(40);
  });

  for (const p of FIXTURE_PCAPS) {
    it(`gives what the JS tracker gives: ${relative(REPO_ROOT, p)}`, () => {
      expectSame(readFileSync(p), relative(REPO_ROOT, p));
    });
  }

  it("gives what the JS tracker gives on generated captures: expiry, eviction, ICMP errors and control, sweeps", () => {
    for (const seed of [1, 2, 3]) {
      const data = flowCapture(seed, 6000);
      const conns = expectSame(data, `generated ${seed}`, [8192, 1, 7, 100]);
      // Enough connections alive at once that sweeps run (FlowTracker sweeps from 1024 live).
      expect(conns).toBeGreaterThan(2000);
    }
  }, 120_000);

  it("gives what the JS tracker gives when packets' times go back (a connection's last time earlier than the one before)", () => {
    // The module's sweeps read a lower bound of each connection's last time (assembly/tracker.ts
    // lastTime), written only when the time leaves a step of the timeout, or goes back: a bound left
    // above the record's time would keep an expired connection from a sweep that the JS tracker's
    // sweep ends. Times going back by up to 0.5 to 20 s, with timeouts whose steps they fall within.
    const STEPPED: FlowTimeouts = { tcp: 8000, udp: 4000, icmp: 2000, unansweredAfter: 1000, duplicateWindow: 50 };
    for (const [seed, backMs] of [[21, 500], [22, 2000], [23, 20_000]] as const) {
      const data = flowCapture(seed, 8000, 300, 0, backMs);
      const conns = expectSame(data, `generated ${seed}, times back by up to ${backMs} ms`, [8192, 7], [...TIMEOUTS, ["stepped", STEPPED]]);
      expect(conns).toBeGreaterThan(2000);
    }
  }, 120_000);

  it("gives what the JS tracker gives on captures seen on several interfaces (SLL2): the interfaces of TTL samples, RSTs and ICMP errors", () => {
    // The ICMP error's interface and sender live in the record's cold part (conn-table.ts), read only
    // under S_ICMP_ERR: with one interface (index 0) a lost interface would read the same.
    for (const seed of [11, 12]) {
      const data = flowCapture(seed, 6000, 300, 3);
      expect(data.readUInt32LE(20)).toBe(276);
      const conns = expectSame(data, `generated ${seed} on 3 interfaces`, [8192, 7]);
      expect(conns).toBeGreaterThan(2000);
      expectSame(data, `generated ${seed} on 3 interfaces, 16 records reserved`, [8192], TIMEOUTS, 16);
    }
  }, 120_000);

  it("gives what the JS tracker gives with the decoder's batches cut at every size from 1 to 70, and beyond one module call", () => {
    const data = flowCapture(4, 2500, 30);
    const sizes = [...Array.from({ length: 70 }, (_, k) => k + 1), 4095, 4096, 8191];
    expectSame(data, "generated 4", sizes, [["tiny", TINY]]);
    // Batches larger than the module's input area are taken in several calls.
    expectSame(flowCapture(5, 20_000), "generated 5", [20_000, 9000], [["default", DEFAULT_TIMEOUTS], ["tiny", TINY]]);
  }, 120_000);

  it("gives what the JS tracker gives while its tables grow with what they hold (a reservation of 16 records)", () => {
    for (const seed of [1, 5]) {
      const conns = expectSame(flowCapture(seed, 6000), `generated ${seed}, 16 records reserved`, [1, 7, 8192], TIMEOUTS, 16);
      expect(conns).toBeGreaterThan(2000);
    }
  }, 120_000);

  it("grows the memory by a quarter more than the module took, so its small growths that follow do not each make a new buffer", () => {
    // The sizes of the module's memory after each call that may grow it (load: `reserve`; prepareSweep: `memoRoom`).
    const proto = WasmTrackerCore.prototype as unknown as Record<"load" | "prepareSweep", (...a: unknown[]) => unknown>;
    const saved = { load: proto.load, prepareSweep: proto.prepareSweep };
    let sizes: number[] = [];
    for (const name of ["load", "prepareSweep"] as const) {
      proto[name] = function (this: { memory: { buffer: ArrayBuffer } }, ...a: unknown[]) {
        const r = saved[name].apply(this, a);
        if (sizes[sizes.length - 1] !== this.memory.buffer.byteLength) sizes.push(this.memory.buffer.byteLength);
        return r;
      };
    }
    try {
      // Batches of 64 packets: the tables (16 records reserved) double again and again as connections come.
      const data = flowCapture(3, 20_000);
      for (const initial of [16, 256]) {
        for (const share of [false, true]) {
          sizes = [];
          const js = track(data, "js", DEFAULT_TIMEOUTS, 64, initial);
          const wasm = track(data, "wasm", DEFAULT_TIMEOUTS, 64, initial, share);
          expect({ ...wasm, wasm: false, shared: false }).toEqual(js);
          const what = `${initial ?? "default"} records reserved, ${share ? "shared" : "own"} memory: ${sizes.map((b) => b >> 10).join(", ")} KiB`;
          // The decoder's memory, when shared, starts at ~7.5 MiB (its chunk and read areas): the tables grow it less often.
          expect(sizes.length, what).toBeGreaterThan(share ? 1 : 2);
          for (let k = 1; k < sizes.length; k++) expect(sizes[k]! / sizes[k - 1]!, what).toBeGreaterThanOrEqual(1.25);
        }
      }
    } finally {
      Object.assign(proto, saved);
    }
  }, 120_000);

  it("finalises in the module what the JS tracker finalises: memoised outcomes there, the rest decided in their places, the memo emptied when full", () => {
    for (const seed of [1, 2]) {
      const data = flowCapture(seed, 6000);
      for (const [name, t] of TIMEOUTS) {
        for (const initial of [undefined, 16]) {
          const what = `generated ${seed}, ${name} timeouts, ${initial ?? "default"} records reserved`;
          const js = track(data, "js", t, 8192, initial);
          // The module's memo (hits written by its sweeps), then none (every connection a miss JS decides in its slot).
          for (const memoise of [true, false]) {
            for (const share of [false, true]) {
              const wasm = track(data, "wasm", t, 8192, initial, share, memoise);
              expect({ ...wasm, wasm: false, shared: false }, `${what}, memo ${memoise}`).toEqual(js);
              const f = lastFinalise!;
              if (!memoise) {
                expect(f.entries, what).toBe(0);
                continue;
              }
              expect(f.entries, what).toBeGreaterThan(0);
              if (initial === 16) {
                // An output area of 5 connections and a memo of at most 16 slots (8 outcomes): sweeps
                // resume where the area filled, and the memo is emptied and learnt again.
                expect(f.slots, what).toBe(16);
                expect(f.emptied, what).toBeGreaterThan(0);
                expect(f.resumed, what).toBeGreaterThan(0);
              } else {
                expect(f.emptied, what).toBe(0);
              }
            }
          }
        }
      }
    }
  }, 120_000);

  it("gives what the JS tracker gives when batches of another decoder come between the shared decoder's", () => {
    // The module reads the shared decoder's batches in place and copies any other batch in: the two
    // ways in turn, with tables growing (16 records reserved) in between, must not mix up the columns.
    const a = flowCapture(7, 3000);
    const b = flowCapture(8, 3000);
    const run = (engine: "js" | "wasm") => {
      const tracker = new FlowTracker(TINY, undefined, 16);
      tracker.engine = engine;
      const da = createWasmPcapDecoder("a.pcap", { batchCapacity: 300 });
      const db = createWasmPcapDecoder("b.pcap", { batchCapacity: 200 });
      tracker.shareMemory = da.shareMemory;
      const rows: unknown[] = [];
      const emit = (o: EventBatch) => {
        rows.push(o.length);
        for (let i = 0; i < o.length; i++) rows.push([...COLUMNS.map((c) => o[c][i]), ...o.src.subarray(i * 4, i * 4 + 4), ...o.dst.subarray(i * 4, i * 4 + 4), o.labels.get(o.label[i]!)]);
      };
      const add = (p: EventBatch) => tracker.addPackets(p, emit);
      for (let o = 0; o < a.length; o += 20_000) {
        da.push(a.subarray(o, o + 20_000), add);
        db.push(b.subarray(o, o + 20_000), add);
      }
      da.end(add);
      db.end(add);
      tracker.end(emit);
      return { wasm: tracker.usesWasm, shared: tracker.sharesMemory, rows, stats: tracker.stats };
    };
    const js = run("js");
    const wasm = run("wasm");
    expect(wasm.wasm && wasm.shared).toBe(true);
    expect(js.rows.length).toBeGreaterThan(1000);
    expect({ ...wasm, wasm: false, shared: false }).toEqual(js);
  });

  it("gives what the JS tracker gives past its first records (16,384), with the default reservation", () => {
    // 40,000 packets over 30,000 flows in 4 s of capture: more than two batches' worth of connections
    // alive at once, so the records grow to the reservation and the index grows on its own (reserve).
    const dir = tmpFiles({});
    const path = join(dir, "many.pcap");
    execFileSync(process.execPath, [join(REPO_ROOT, "bench/gen-pcap.mjs"), path, "40000", "30000"]);
    const conns = expectSame(readFileSync(path), "40,000 packets, 30,000 flows", [8192, 3000], [["default", DEFAULT_TIMEOUTS]]);
    expect(conns).toBeGreaterThan(16_384);
  }, 120_000);

  it("gives what the JS tracker gives on mutated and cut captures", () => {
    const rnd = prng(21);
    for (const p of FIXTURE_PCAPS.filter((_, k) => k % 3 === 0)) {
      const data = readFileSync(p);
      for (let k = 0; k < 8; k++) expectSame(mutate(data, rnd, 24), `${relative(REPO_ROOT, p)} mutated ${k}`, [8192, 2], [["tiny", TINY]]);
      for (const cut of [100, 1000, Math.floor(data.length / 2)]) expectSame(data.subarray(0, cut), `${relative(REPO_ROOT, p)} cut at ${cut}`, [8192], [["default", DEFAULT_TIMEOUTS]]);
    }
    const gen = flowCapture(6, 3000);
    for (let k = 0; k < 10; k++) expectSame(mutate(gen, rnd, 24), `generated 6 mutated ${k}`, [8192, 5], [["tiny", TINY]]);
  }, 120_000);

  it("check prints the same report with either tracker", async () => {
    // Every address in a role (halves of the address space), so that every fixture's flows are checked.
    const dir = tmpFiles({
      "generated.pcap": flowCapture(7, 20_000),
      "all.yaml": 'roles:\n  file-share-client: [0.0.0.0/1, "::/1"]\n  kcps-fs: [128.0.0.0/1, "8000::/1"]\n',
    });
    const gen = join(dir, "generated.pcap");
    const files = [gen, ...FIXTURE_PCAPS.filter((_, k) => k % 3 === 0)];
    let checked = 0;
    for (const f of files) {
      const reports: string[] = [];
      let findings = 0;
      for (const engine of ["js", "wasm"]) {
        const old = process.env.PORTMATRIX_TRACKER;
        process.env.PORTMATRIX_TRACKER = engine;
        try {
          const r = await runCli(["check", "-r", "kcps-file-server", "-i", f === gen ? join(REPO_ROOT, "bench/inventory.yaml") : join(dir, "all.yaml"), "--year", "2026", "--format", "json", f]);
          // The whole output: a report, or an error (a capture whose packets all were skipped), both alike.
          reports.push(`${r.code}\n${r.stderr}\n${r.stdout.replace(/"generatedAt": ?"[^"]*"/, "")}`);
          if (r.code !== 2) findings = (JSON.parse(r.stdout) as { findings: unknown[] }).findings.length;
        } finally {
          if (old === undefined) delete process.env.PORTMATRIX_TRACKER;
          else process.env.PORTMATRIX_TRACKER = old;
        }
      }
      expect(reports[1], relative(REPO_ROOT, f)).toBe(reports[0]);
      if (findings > 0) checked++;
      if (f === gen) expect(findings, "the generated capture's findings").toBeGreaterThan(100);
    }
    // Reports of checked traffic compared, not only errors alike.
    expect(checked).toBeGreaterThan(files.length / 2);
  }, 120_000);

  it("tells apart keys that differ only in the words its index hash leaves out, and IPv4 from IPv6", () => {
    // The module hashes an IPv4 key by its family/protocol, first address words and ports only
    // (assembly/tracker.ts keyHash), so these connections all share one hash and one probe chain and
    // only the full key compare (sameKey) tells them apart; the JS reference hashes every word. A
    // decoder never fills an IPv4 address's words 1..3, a batch built here does: each address word and
    // each port in turn differs, and IPv6 keys with the same first words join them.
    const b = createBatch(4096);
    let t = 1000;
    const add = (fam: number, src: number[], dst: number[], sp: number, dp: number, flags: number) => {
      const i = reserve(b);
      b.family[i] = fam;
      b.proto[i] = 6;
      b.src.set(src, i * 4);
      b.dst.set(dst, i * 4);
      b.srcPort[i] = sp;
      b.dstPort[i] = dp;
      b.tcpFlags[i] = flags;
      b.time[i] = t;
      t += 1;
      b.position[i] = 24 + i * 60;
      b.frame[i] = i + 1;
      b.ttl[i] = 64;
      b.tcpSeq[i] = i;
      b.payloadLength[i] = 0;
      b.length++;
    };
    const A = 0x0100000a;
    const B = 0x0200000a;
    for (let round = 0; round < 3; round++) {
      for (let w = 0; w < 8; w++) {
        for (const v of [1, 0x80000000, 0xffffffff]) {
          const src = [A, 0, 0, 0];
          const dst = [B, 0, 0, 0];
          if (w < 4) src[w] = (src[w]! ^ v) >>> 0;
          else dst[w - 4] = (dst[w - 4]! ^ v) >>> 0;
          for (const fam of [4, 6]) {
            // SYN one way, SYN-ACK the other, ACK: each a connection of its own, answered or not.
            add(fam, src, dst, 40000 + round, 445, 2);
            if ((w + round) % 2 === 0) add(fam, dst, src, 445, 40000 + round, 18);
            add(fam, src, dst, 40000 + round, 445, 16);
          }
        }
      }
      // The ports alone differ.
      for (const fam of [4, 6]) for (const p of [1, 445, 65535]) add(fam, [A, 0, 0, 0], [B, 0, 0, 0], 40000 + round, p, 2);
    }
    const run = (engine: "js" | "wasm") => {
      const tracker = new FlowTracker(DEFAULT_TIMEOUTS);
      tracker.engine = engine;
      const rows: unknown[] = [];
      const emit = (o: EventBatch) => {
        for (let i = 0; i < o.length; i++) {
          rows.push([...COLUMNS.map((c) => o[c][i]), ...o.src.subarray(i * 4, i * 4 + 4), ...o.dst.subarray(i * 4, i * 4 + 4), o.labels.get(o.label[i]!), o.labels.get(o.history[i]!)]);
        }
      };
      tracker.addPackets(b, emit);
      tracker.end(emit);
      return { wasm: tracker.usesWasm, rows, stats: tracker.stats };
    };
    const js = run("js");
    const wasm = run("wasm");
    expect(wasm.wasm).toBe(true);
    expect(js.rows.length).toBe(3 * (8 * 3 * 2 + 6));
    expect({ ...wasm, wasm: false }).toEqual(js);
  });

  it("sweeps by each connection's own last time, though what its sweeps read first lags behind it (or went back)", () => {
    // The module's sweeps read a lower bound of each connection's last time (assembly/tracker.ts
    // lastTime: written only when the time leaves a quarter of the timeout, or goes back; UDP 100 ms
    // here, so steps of 25 ms), then the record's own time. After the first batch, 1,100 connections
    // alive make FlowTracker sweep: the JS tracker ends A (its last packet, 1001, is 104 ms before the
    // latest, 1105: its bound must not have stayed at 1010) and keeps C (1020: its bound, 1000, says
    // 105 ms, its record says 85).
    const b = createBatch(4096);
    const add = (sp: number, t: number) => {
      const i = reserve(b);
      b.family[i] = 4;
      b.proto[i] = 17;
      b.src.set([0x0100000a, 0, 0, 0], i * 4);
      b.dst.set([0x0200000a, 0, 0, 0], i * 4);
      b.srcPort[i] = sp;
      b.dstPort[i] = 53;
      b.tcpFlags[i] = -1;
      b.time[i] = t;
      b.position[i] = 24 + i * 60;
      b.frame[i] = i + 1;
      b.ttl[i] = 64;
      b.length++;
    };
    add(40000, 1010);
    add(40000, 1001);
    add(40001, 1000);
    add(40001, 1020);
    for (let k = 0; k < 1100; k++) add(1024 + k, 1105);
    const timeouts: FlowTimeouts = { tcp: 400, udp: 100, icmp: 100, unansweredAfter: 50, duplicateWindow: 5 };
    const run = (engine: "js" | "wasm") => {
      const tracker = new FlowTracker(timeouts);
      tracker.engine = engine;
      const rows: unknown[] = [];
      const emit = (o: EventBatch) => {
        for (let i = 0; i < o.length; i++) rows.push([...COLUMNS.map((c) => o[c][i]), o.labels.get(o.label[i]!)]);
      };
      tracker.addPackets(b, emit);
      const evicted = tracker.stats.evicted;
      tracker.end(emit);
      return { wasm: tracker.usesWasm, evicted, rows, stats: tracker.stats };
    };
    const js = run("js");
    const wasm = run("wasm");
    expect(wasm.wasm).toBe(true);
    // The sweep after the batch ended A alone.
    expect(js.evicted).toBe(1);
    expect(js.rows.length).toBe(1102);
    expect({ ...wasm, wasm: false }).toEqual(js);
  });

  it("falls back to the JS tracker when the module cannot be instantiated; fails only when it was asked for", () => {
    const data = flowCapture(3, 2000);
    const ref = track(data, "js", DEFAULT_TIMEOUTS, 100);
    expect(track(data, "auto", DEFAULT_TIMEOUTS, 100).wasm).toBe(true);
    const wa = (globalThis as unknown as { WebAssembly: { Instance: unknown } }).WebAssembly;
    const Instance = wa.Instance;
    // What a memory the system refuses looks like.
    wa.Instance = class { constructor() { throw new RangeError("WebAssembly.Instance(): Out of memory"); } };
    try {
      expect(track(data, "auto", DEFAULT_TIMEOUTS, 100)).toEqual(ref);
      expect(track(data, "auto", DEFAULT_TIMEOUTS, 100, undefined, true)).toEqual(ref);
      expect(track(data, "wasm", DEFAULT_TIMEOUTS, 100).error).toMatch(/Out of memory/);
    } finally {
      wa.Instance = Instance;
    }
  });

  it("keeps no more connections than the JS tracker: memory follows the connections alive", () => {
    const js = new FlowTracker(TINY);
    const wasm = new FlowTracker(TINY);
    wasm.engine = "wasm";
    let peak = 0;
    const data = flowCapture(8, 20_000, 200);
    const feed = (t: FlowTracker) => {
      const d = createWasmPcapDecoder("f.pcap", { batchCapacity: 512 });
      const emit = (b: EventBatch) => {
        t.addPackets(b, () => undefined);
        if (t === wasm) peak = Math.max(peak, t.liveConnections);
      };
      d.push(data, emit);
      d.end(emit);
    };
    feed(js);
    feed(wasm);
    expect(wasm.usesWasm).toBe(true);
    expect(wasm.stats).toEqual(js.stats);
    expect(wasm.liveConnections).toBe(js.liveConnections);
    // Sweeps free records in the module: far fewer alive at any batch's end than connections seen.
    expect(peak).toBeLessThan(js.stats.connections / 4);
  });
});

describeNeeding([needCorpus], "the flow tracker in WebAssembly on the shared corpus", () => {
  const dir = join(corpusDir()!, "pcap");
  const files = pcapFiles(dir);
  it("finds the corpus captures", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const p of files) {
    it(`gives what the JS tracker gives: corpus/${relative(dir, p)}`, () => {
      expectSame(readFileSync(p), `corpus/${relative(dir, p)}`, [8192, 3]);
    });
  }
});
