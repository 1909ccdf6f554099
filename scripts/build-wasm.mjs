// The WebAssembly step of `npm run build` (issue 18): assembly/pcap.ts, the classic pcap record walker
// and frame decoder, compiled by AssemblyScript's asc (a devDependency, so `npm ci` on a fresh clone is
// all it needs) to dist/wasm/pcap.wasm, which src/decode/pcap/wasm.ts loads. No runtime, no allocator:
// the JS side lays out the imported memory.
import asc from "assemblyscript/asc";

export async function buildWasm() {
  const { error, stderr } = await asc.main([
    "assembly/pcap.ts",
    "--outFile", "dist/wasm/pcap.wasm",
    "--optimizeLevel", "3",
    "--shrinkLevel", "0",
    "--runtime", "stub",
    "--importMemory",
    "--noExportMemory",
    "--noAssert",
  ]);
  if (error) {
    console.error(`build: assembly/pcap.ts does not compile:\n${stderr.toString()}`);
    process.exit(1);
  }
}
