import { describe, it, expect } from "vitest";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { openInput } from "../../src/source/inputs.js";
import { tmpFiles } from "../helpers/tmp.js";

/** Every byte an opened input gives, copied out chunk by chunk (a chunk is valid until the next). */
async function readAll(path: string): Promise<{ bytes: Buffer; compressed: boolean }> {
  const o = await openInput(path);
  const parts = [Buffer.from(o.head)];
  for await (const c of o.rest) parts.push(Buffer.from(c));
  await o.close();
  return { bytes: Buffer.concat(parts), compressed: o.compressed };
}

describe("openInput", () => {
  // Bigger than the 1 MiB read size, so that the two read buffers take turns several times.
  const content = Buffer.alloc(5 * 1024 * 1024 + 12345);
  for (let i = 0; i < content.length; i++) content[i] = (i * 2654435761) >>> 24;
  const dir = tmpFiles({ "plain.bin": content, "data.gz": gzipSync(content), "empty": Buffer.alloc(0), "small": Buffer.from("abc\n") });

  it("gives every byte of a file in order, though it reuses its read buffers", async () => {
    const r = await readAll(join(dir, "plain.bin"));
    expect(r.compressed).toBe(false);
    expect(r.bytes.equals(content)).toBe(true);
  });

  it("keeps the head readable after the rest has been read", async () => {
    const o = await openInput(join(dir, "plain.bin"));
    const head = Buffer.from(o.head);
    for await (const c of o.rest) void c;
    expect(o.head.equals(head)).toBe(true);
    expect(head.equals(content.subarray(0, head.length))).toBe(true);
    await o.close();
  });

  it("decompresses gzip recognised by its magic bytes", async () => {
    const r = await readAll(join(dir, "data.gz"));
    expect(r.compressed).toBe(true);
    expect(r.bytes.equals(content)).toBe(true);
  });

  it("reads empty and small files, and can be closed before the end", async () => {
    expect((await readAll(join(dir, "empty"))).bytes.length).toBe(0);
    expect((await readAll(join(dir, "small"))).bytes.toString()).toBe("abc\n");
    const o = await openInput(join(dir, "plain.bin"));
    await o.close();
    await o.close();
  });

  it("names a missing file and a directory", async () => {
    await expect(openInput(join(dir, "nope"))).rejects.toThrow(/no such file/);
    await expect(openInput(dir)).rejects.toThrow(/is a directory/);
  });
});
