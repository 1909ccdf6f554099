// The exact bare connection count of a classic pcap, two ways (issue 18, bench/README.md "Floors of the
// scan-like capture"), used by bench/floor-pcap.mjs and compared by test/bench/floor-count.test.ts:
//  - jsCounter: over the decoder's EventBatches in JavaScript, each packet's canonical key made by the
//    flow tracker's own canonicalKey and hashKey into an open-addressing table of inline keys (the
//    `count` stage);
//  - countPcapWasm: reading, decoding and counting all inside the WebAssembly module
//    assembly/floor-count.ts, each file chunk read straight into the module's memory, one call per
//    chunk (the `wasm-count` stage).
// Both count distinct (family, protocol, unordered pair of endpoints) keys; an ICMP packet's endpoints
// are (source, type) and (destination, 0).
import { readFileSync, statSync, mkdirSync, existsSync, openSync, readSync, closeSync } from "node:fs";

/** The JS count: `bits` bits of slots (2^19: room for 256k connections), KEY_WORDS key words and a used word each. */
export async function jsCounter(bits = 19) {
  // Loaded here, so that the wasm-count stage loads nothing of the pipeline.
  const { canonicalKey, hashKey, KEY_WORDS } = await import("../dist/flow/conn-table.js");
  const SLOT = KEY_WORDS + 1;
  const MASK = (1 << bits) - 1;
  const table = new Int32Array((MASK + 1) * SLOT);
  const k = new Int32Array(KEY_WORDS);
  const c = { connections: 0, packets: 0, countBatch };
  function countBatch(b) {
    c.packets += b.length;
    for (let i = 0; i < b.length; i++) {
      const proto = b.proto[i];
      const icmp = proto === 1 || proto === 58;
      const sp = icmp ? b.icmpType[i] : Math.max(0, b.srcPort[i]);
      const dp = icmp ? 0 : Math.max(0, b.dstPort[i]);
      canonicalKey(b.family[i], proto, b.src, i * 4, sp, b.dst, i * 4, dp, k, 0);
      let s = hashKey(k, 0) & MASK;
      for (;;) {
        const o = s * SLOT;
        if (table[o + KEY_WORDS] === 0) {
          if (c.connections >= (MASK + 1) * 0.75) throw new Error(`floor-count: more than ${c.connections} connections: table of 2^${bits} slots too small`);
          table.set(k, o);
          table[o + KEY_WORDS] = 1;
          c.connections++;
          break;
        }
        let j = 0;
        while (j < KEY_WORDS && table[o + j] === k[j]) j++;
        if (j === KEY_WORDS) break;
        s = (s + 1) & MASK;
      }
    }
  }
  return c;
}

const SOURCE = new URL("../assembly/floor-count.ts", import.meta.url);
// Under bench/out (git-ignored), not dist/: dist ships in the package ("files").
const OUT = new URL("./out/floor-count.wasm", import.meta.url);

/**
 * Compile assembly/floor-count.ts with the flags of scripts/build-wasm.mjs (not part of `npm run build`:
 * the module is the bench's, not the product's) when the .wasm is missing or older than its source.
 */
export async function buildFloorWasm() {
  if (existsSync(OUT) && statSync(OUT).mtimeMs >= statSync(SOURCE).mtimeMs) return;
  const { default: asc } = await import("assemblyscript/asc");
  mkdirSync(new URL(".", OUT), { recursive: true });
  const { error, stderr } = await asc.main([
    SOURCE.pathname, "--outFile", OUT.pathname, "--optimizeLevel", "3", "--shrinkLevel", "0",
    "--runtime", "stub", "--importMemory", "--noExportMemory", "--noAssert",
  ]);
  if (error) throw new Error(`assembly/floor-count.ts does not compile:\n${stderr.toString()}`);
}

let compiled;
/** The compiled module (after buildFloorWasm). */
export function floorModule() {
  compiled ??= new WebAssembly.Module(readFileSync(OUT));
  return compiled;
}

/** Bytes read into the module's memory per call: the source's chunk size (src/source/raw.ts). */
export const CHUNK = 1 << 20;
const PCAP_MAX_RECORD = 262144;
const PCAP_MAX_RECORD_CAP = 16 * 1024 * 1024;

/** classic.ts readPcapFileHeader, the parts the walk needs (the same magics, version and link type). */
function fileHeader(h) {
  const be = h.readUInt32BE(0);
  const le = h.readUInt32LE(0);
  let littleEndian;
  if (be === 0xa1b2c3d4 || be === 0xa1b23c4d) littleEndian = false;
  else if (le === 0xa1b2c3d4 || le === 0xa1b23c4d) littleEndian = true;
  else throw new Error(`not a classic pcap file: magic 0x${be.toString(16).padStart(8, "0")}`);
  const u16 = (o) => (littleEndian ? h.readUInt16LE(o) : h.readUInt16BE(o));
  const u32 = (o) => (littleEndian ? h.readUInt32LE(o) : h.readUInt32BE(o));
  if (u16(4) !== 2) throw new Error(`unsupported pcap version ${u16(4)}`);
  const snaplen = u32(16);
  const maxRecord = snaplen > PCAP_MAX_RECORD ? Math.min(snaplen, PCAP_MAX_RECORD_CAP) : PCAP_MAX_RECORD;
  return { littleEndian, linkType: u32(20) & 0xffff, maxRecord };
}

/**
 * Count the connections of a classic pcap inside the module. `read(into, offset, length)` puts at most
 * `length` bytes of the file at `into[offset..]` and returns how many (0 at the end): the module's
 * memory itself, so nothing is copied per chunk but the tail of a record cut by the chunk's end.
 * Tables of 2^v4Bits and 2^v6Bits slots, sized ahead (never grown); a table filled beyond 3/4 is an error.
 * `stride` (a multiple of 16): bytes per IPv4 slot, the key and from the 17th byte a packet count.
 */
export function countPcapWasm(read, { chunk = CHUNK, v4Bits = 19, v6Bits = 16, stride = 16, module = floorModule() } = {}) {
  const head = Buffer.alloc(24);
  let got = 0;
  for (let n; got < 24 && (n = read(head, got, 24 - got)) > 0;) got += n;
  if (got < 24) throw new Error(`truncated pcap file header: ${got} of 24 bytes`);
  const h = fileHeader(head);
  const align = (x) => (x + 63) & ~63;
  const carryRoom = align(h.maxRecord + 16);
  const chunkAt = 64 + carryRoom;
  const v4At = align(chunkAt + chunk);
  const v6At = align(v4At + stride * (1 << v4Bits));
  const queueAt = align(v6At + 40 * (1 << v6Bits));
  const size = queueAt + 256 * 24;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(size / 65536) });
  const core = new WebAssembly.Instance(module, { env: { memory } }).exports;
  core.setup(v4At, v4Bits, v6At, v6Bits, queueAt, stride);
  core.start(h.littleEndian ? 1 : 0, h.linkType, h.maxRecord);
  const mem = new Uint8Array(memory.buffer);
  let tail = 0;
  let bytes = 24;
  for (;;) {
    const n = read(mem, chunkAt, chunk);
    if (n === 0) break;
    bytes += n;
    const from = chunkAt - tail;
    const used = core.walk(from, tail + n);
    if (core.isStopped()) break;
    tail = tail + n - used;
    if (tail > 0) mem.copyWithin(chunkAt - tail, from + used, chunkAt + n);
  }
  const connections = core.connections();
  if (core.full()) throw new Error(`floor-count: a connection table sized too small (2^${v4Bits} IPv4 slots, 2^${v6Bits} IPv6)`);
  // The state's sum is read only when asked (tests): a pass over the whole table.
  return { bytes, connections, ipv6Connections: core.ipv6Connections(), packets: core.packets(), ipv4Packets: core.ipv4Packets(), stateTotal: () => (stride > 16 ? core.stateTotal() : 0) };
}

/** countPcapWasm over a file, each chunk read with readSync straight into the module's memory. */
export function countPcapFileWasm(file, options) {
  const fd = openSync(file, "r");
  try {
    return countPcapWasm((into, offset, length) => readSync(fd, into, offset, length, null), options);
  } finally {
    closeSync(fd);
  }
}

/** countPcapWasm over bytes in memory, handed over `step` bytes at a time (tests). */
export function countPcapBytesWasm(data, step, options) {
  let at = 0;
  return countPcapWasm((into, offset, length) => {
    const n = Math.min(length, step, data.length - at);
    into.set(data.subarray(at, at + n), offset);
    at += n;
    return n;
  }, options);
}
