// The WebAssembly step of `npm run build` (issue 18), compiled by AssemblyScript's asc (a devDependency,
// so `npm ci` on a fresh clone is all it needs) into dist/wasm/: assembly/pcap.ts, the classic pcap record
// walker and frame decoder (loaded by src/decode/pcap/wasm.ts), and the log row readers assembly/wfw.ts,
// assembly/netfilter.ts and assembly/csv.ts (src/decode/log/wasm-rows.ts). No runtime, no allocator: the JS side lays out the
// imported memory.
import asc from "assemblyscript/asc";

/**
 * The pcap decoder and the flow tracker share one memory (src/decode/pcap/wasm.ts shareMemory), which a
 * worker thread reads a large capture into (src/source/read-ring.ts): a shared memory, so the two
 * modules declare it shared, with the largest maximum a 32-bit memory has (a shared memory needs one;
 * pages are only reserved, never committed, until the tables grow into them).
 */
const SHARED_MEMORY = ["--sharedMemory", "--maximumMemory", "65536", "--enable", "threads"];

export async function buildWasm() {
  await compile("pcap", SHARED_MEMORY);
  await compile("tracker", SHARED_MEMORY);
  // 128-bit SIMD (in every Node version `engines` allows): the row readers find separators 16 bytes at a time.
  await compile("wfw", ["--enable", "simd"]);
  await compile("netfilter", ["--enable", "simd"]);
  await compile("csv", ["--enable", "simd"]);
  // The finding table's count (src/match/findings-wasm.ts).
  await compile("findings");
}

async function compile(name, extra = []) {
  const { error, stderr } = await asc.main([
    `assembly/${name}.ts`,
    "--outFile", `dist/wasm/${name}.wasm`,
    "--optimizeLevel", "3",
    "--shrinkLevel", "0",
    "--runtime", "stub",
    "--importMemory",
    "--noExportMemory",
    "--noAssert",
    ...extra,
  ]);
  if (error) {
    console.error(`build: assembly/${name}.ts does not compile:\n${stderr.toString()}`);
    process.exit(1);
  }
}
