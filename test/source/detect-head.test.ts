/**
 * Format detection looks at the same bytes whatever the source: a regular file's head is its first
 * 1 MiB read, standard input's as little as 64 KiB (a pipe's chunks), so detection may look at no more
 * than the first DETECT_BYTES (src/source/detect.ts). The same bytes as a file and on `-` are
 * recognised the same way, for every fixture and corpus file and for a capture whose first NetFlow
 * datagram lies beyond 64 KiB (read as the traffic its first 64 KiB show, both ways).
 */
import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { openInput, STDIN } from "../../src/source/inputs.js";
import { DETECT_BYTES } from "../../src/source/detect.js";
import { detectFormat } from "../../src/pipeline/formats.js";
import { corpusDir, describeNeeding, needCorpus, REPO_ROOT } from "../helpers/need.js";
import { tmpFiles } from "../helpers/tmp.js";

function filesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesBelow(p));
    else out.push(p);
  }
  return out;
}

const realStdin = Object.getOwnPropertyDescriptor(process, "stdin")!;
afterEach(() => { Object.defineProperty(process, "stdin", realStdin); });

/** What `openInput` recognises the file as, read as a file and as standard input in 4 KiB chunks. */
async function bothWays(path: string): Promise<{ file: string | undefined; stdin: string | undefined }> {
  const asFile = await openInput(path);
  const file = detectFormat(asFile.head);
  await asFile.close();
  const bytes = readFileSync(path);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 4096) chunks.push(bytes.subarray(i, i + 4096));
  Object.defineProperty(process, "stdin", { value: Readable.from(chunks), configurable: true });
  const asStdin = await openInput(STDIN);
  const stdin = detectFormat(asStdin.head);
  await asStdin.close();
  return { file, stdin };
}

/** A classic pcap's records (after its 24-byte header), each with its 16-byte record header. */
function records(pcap: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 24; at + 16 <= pcap.length;) {
    const len = pcap.readUInt32LE(at + 8);
    out.push(pcap.subarray(at, at + 16 + len));
    at += 16 + len;
  }
  return out;
}

/**
 * Traffic (the AD client's capture, over and over) past DETECT_BYTES, then NetFlow v5 datagrams: more
 * of them than traffic packets, all within the first 1 MiB, so a detector that looked at a file's whole
 * first read would call it an export capture.
 */
function lateExportCapture(): { bytes: Buffer; trafficBytes: number } {
  const traffic = readFileSync(join(REPO_ROOT, "fixtures/flows/traffic/ad-client.pcap"));
  const v5 = readFileSync(join(REPO_ROOT, "fixtures/flows/ad-client.v5.pcap"));
  expect(traffic.subarray(0, 24).equals(v5.subarray(0, 24))).toBe(true);
  const parts: Buffer[] = [traffic.subarray(0, 24)];
  let size = 24;
  let packets = 0;
  while (size <= DETECT_BYTES) for (const r of records(traffic)) { parts.push(r); size += r.length; packets++; }
  const trafficBytes = size;
  const datagram = records(v5)[0]!;
  for (let i = 0; i <= packets; i++) { parts.push(datagram); size += datagram.length; }
  expect(size).toBeLessThan(1024 * 1024);
  return { bytes: Buffer.concat(parts), trafficBytes };
}

describe("format detection reads the same head from a file and from standard input", () => {
  it("recognises every fixture the same way both ways", async () => {
    const differ: string[] = [];
    for (const f of filesBelow(join(REPO_ROOT, "fixtures"))) {
      const r = await bothWays(f);
      if (r.file !== r.stdin) differ.push(`${f}: file ${r.file}, stdin ${r.stdin}`);
    }
    expect(differ).toEqual([]);
  }, 120_000);

  it("calls a capture whose first export lies beyond 64 KiB what its first 64 KiB are, both ways", async () => {
    const { bytes, trafficBytes } = lateExportCapture();
    expect(trafficBytes).toBeGreaterThan(DETECT_BYTES);
    // The exports alone, and the whole within a file's first read, are an export capture.
    const exportsOnly = Buffer.concat([bytes.subarray(0, 24), bytes.subarray(trafficBytes)]);
    expect(detectFormat(exportsOnly)).toBe("netflow");
    const dir = tmpFiles({ "late.pcap": bytes });
    const path = join(dir, "late.pcap");
    expect(await bothWays(path)).toEqual({ file: "pcap", stdin: "pcap" });
    // The command line, with a real pipe on standard input: the same format and the same records.
    const run = (args: string[], input?: Buffer) => spawnSync("node", [join(REPO_ROOT, "bin/portmatrix.js"), "events", "--packets", ...args], { input, encoding: "utf8", maxBuffer: 64 << 20 });
    const asFile = run([path]);
    const asStdin = run(["-"], bytes);
    expect(asFile.status).toBe(0);
    expect(asStdin.status).toBe(0);
    expect(asFile.stderr).toContain("(pcap)");
    expect(asStdin.stderr).toContain("(pcap)");
    const strip = (s: string) => s.split("\n").map((l) => l.replace(/"input":"[^"]*",/, ""));
    expect(strip(asStdin.stdout)).toEqual(strip(asFile.stdout));
    // Forced, the exports are read.
    const forced = run(["--input-format", "netflow", path]);
    expect(forced.stderr).toContain("(netflow)");
  }, 60_000);
});

/** Every decoded byte of `path` and the layers taken off, read as a file and as standard input in 4 KiB chunks. */
async function contentBothWays(path: string): Promise<{ file: [string[], string]; stdin: [string[], string] }> {
  const read = async (o: Awaited<ReturnType<typeof openInput>>): Promise<[string[], string]> => {
    const parts = [Buffer.from(o.head)];
    for await (const c of o.rest) parts.push(Buffer.from(c));
    await o.close();
    return [o.layers, Buffer.concat(parts).toString("latin1")];
  };
  const file = await read(await openInput(path));
  const bytes = readFileSync(path);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 4096) chunks.push(bytes.subarray(i, i + 4096));
  Object.defineProperty(process, "stdin", { value: Readable.from(chunks), configurable: true });
  return { file, stdin: await read(await openInput(STDIN)) };
}

describe("CR-only line ends are recognised from the same head as the format", () => {
  it("reads a log whose first 64 KiB end lines in CR alone, with an LF later, alike as a file and on stdin", async () => {
    const line = "Jan  1 00:00:00 fw kernel: IN=eth0 OUT= SRC=10.1.2.3 DST=10.2.0.5 LEN=60 PROTO=TCP SPT=40000 DPT=445 SYN \r";
    const crLines = line.repeat(Math.ceil((DETECT_BYTES + 4096) / line.length));
    const path = join(tmpFiles({ "cr.log": crLines + "an LF-ended line within the first 1 MiB\n" + crLines }), "cr.log");
    const { file, stdin } = await contentBothWays(path);
    expect(stdin[0]).toContain("cr-line-ends");
    expect(file[0]).toEqual(stdin[0]);
    expect(file[1] === stdin[1]).toBe(true);
    expect(file[1].includes("\r")).toBe(false);
  });
});

describeNeeding([needCorpus], "format detection of the shared corpus, file and standard input", () => {
  it("recognises every corpus file the same way both ways", async () => {
    const differ: string[] = [];
    for (const f of filesBelow(corpusDir()!)) {
      const r = await bothWays(f);
      if (r.file !== r.stdin) differ.push(`${f}: file ${r.file}, stdin ${r.stdin}`);
    }
    expect(differ).toEqual([]);
  }, 120_000);
});
