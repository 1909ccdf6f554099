import { describe, it, expect } from "vitest";
import { mkdirSync, symlinkSync, truncateSync, writeFileSync, openSync, closeSync, writeSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { expandInputs, openInput } from "../../src/source/inputs.js";
import { openPath, streamSource, type ByteSource } from "../../src/source/raw.js";
import { runInputs } from "../../src/pipeline/run.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { tmpFiles } from "../helpers/tmp.js";

const KERN = readFileSync("fixtures/kcps/kern.log");

describe("a regular file that changes while it is read", () => {
  it("is an error naming the offset when it was truncated, with the bytes before it delivered", async () => {
    const content = Buffer.concat(Array.from({ length: 700 }, () => KERN)).subarray(0, 3 * 1024 * 1024 + 5);
    const dir = tmpFiles({ "rotating.log": content });
    const path = join(dir, "rotating.log");
    const o = await openInput(path);
    const it = o.rest[Symbol.asyncIterator]();
    const got = o.head.length + ((await it.next()).value?.length ?? 0);
    // logrotate's copytruncate, between two reads.
    truncateSync(path, 100);
    let error: unknown;
    try {
      for (let r = await it.next(); !r.done; r = await it.next()) void r;
    } catch (e) {
      error = e;
    }
    await o.close();
    expect(String(error)).toMatch(new RegExp(`rotating\\.log: byte offset \\d+: the file was truncated while it was read: it had ${content.length} bytes when opened, and now ends at 100`));
    expect(got).toBeGreaterThanOrEqual(1024 * 1024);
  });

  it("is read whole when it only grew (a log still being written)", async () => {
    const dir = tmpFiles({ "growing.log": KERN });
    const path = join(dir, "growing.log");
    const o = await openInput(path);
    const fd = openSync(path, "a");
    writeSync(fd, KERN);
    closeSync(fd);
    for await (const c of o.rest) void c;
    await o.close();
  });
});

describe("FIFOs, devices and sockets as inputs", () => {
  it("waits for a FIFO's writer only so long, then names it (no thread is left blocked)", async () => {
    const dir = tmpFiles({});
    const fifo = join(dir, "no-writer");
    execFileSync("mkfifo", [fifo]);
    const t0 = Date.now();
    await expect(openInput(fifo, { fifoWriterTimeoutMs: 200 })).rejects.toThrow(/no-writer: is a FIFO \(named pipe\) and no program wrote to it within 0 s/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it("reads a FIFO whose writer comes a little later", async () => {
    const dir = tmpFiles({});
    const fifo = join(dir, "later");
    execFileSync("mkfifo", [fifo]);
    const writer = new Promise<void>((res) => setTimeout(() => {
      // An O_RDWR open of a FIFO never blocks on Linux; write, then close to mark the end.
      const fd = openSync(fifo, "r+");
      writeSync(fd, KERN);
      closeSync(fd);
      res();
    }, 150));
    const [r] = await runInputs([fifo], { decode: defaultDecodeOptions(), sink: () => undefined, open: { fifoWriterTimeoutMs: 5000 } });
    await writer;
    expect(r!.error).toBeUndefined();
    expect(r!.stats.used).toBe(18);
  });

  const devices: [string, RegExp][] = [
    ["/dev/null", /\/dev\/null: is a character device, not a log file; not read/],
    ["/dev/zero", /\/dev\/zero: is a character device, not a log file; not read/],
  ];
  for (const [dev, msg] of devices) {
    it(`refuses ${dev} at once`, async () => {
      await expect(openInput(dev)).rejects.toThrow(msg);
    });
  }
});

describe("symbolic links in an input directory", () => {
  it("names a link loop and a link back to a parent directory; the other inputs are read", async () => {
    const dir = tmpFiles({});
    mkdirSync(join(dir, "logs/sub"), { recursive: true });
    writeFileSync(join(dir, "logs/sub/kern.log"), KERN);
    symlinkSync("loop", join(dir, "logs/loop"));
    symlinkSync("..", join(dir, "logs/sub/up"));
    symlinkSync("nowhere", join(dir, "logs/dangling"));
    const paths = expandInputs([join(dir, "logs")]);
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual(["logs/dangling", "logs/loop", "logs/sub/kern.log", "logs/sub/up"]);
    const results = await runInputs(paths, { decode: defaultDecodeOptions(), sink: () => undefined });
    const by = Object.fromEntries(results.map((r) => [r.path.slice(dir.length + 1), r]));
    expect(by["logs/loop"]!.error).toMatch(/logs\/loop: symbolic link loop \(ELOOP\)/);
    expect(by["logs/dangling"]!.error).toMatch(/logs\/dangling: no such file \(or a symbolic link to nothing\)/);
    expect(by["logs/sub/up"]!.error).toMatch(/logs\/sub\/up: symbolic link to the directory .*logs, which contains it: a directory cycle, not followed/);
    expect(by["logs/sub/kern.log"]!.stats.used).toBe(18);
  });

  it("keeps a symlink loop given on the command line as an input that fails, not a crash", () => {
    const dir = tmpFiles({});
    symlinkSync("self", join(dir, "self"));
    expect(expandInputs([join(dir, "self")])).toEqual([join(dir, "self")]);
  });
});

describe("a regular file read again (`again`)", () => {
  it("gives the same bytes from the first, over the same open file, which only the first source closes", async () => {
    const content = Buffer.concat(Array.from({ length: 1000 }, () => KERN)).subarray(0, 2 * 1024 * 1024 + 17);
    const dir = tmpFiles({ "twice.log": content });
    const src = await openPath(join(dir, "twice.log"));
    const all = async (s: ByteSource) => { const out: Buffer[] = []; for (let c = await s.next(); c !== null; c = await s.next()) out.push(Buffer.from(c)); return Buffer.concat(out); };
    // A copy: the source reuses its two buffers.
    const first = Buffer.from((await src.next())!);
    expect(first.length).toBe(1024 * 1024);
    const again = src.again!();
    expect((await all(again)).equals(content)).toBe(true);
    await again.close();
    // The first source goes on where it was, on the file that is still open.
    expect(Buffer.concat([first, await all(src)]).equals(content)).toBe(true);
    // Read once more after the first source closed the file: the descriptor is gone.
    await src.close();
    await expect(src.again!().next()).rejects.toThrow(/twice\.log: cannot read \(EBADF\)/);
  });

  it("is not offered by a FIFO or standard input, which cannot be read twice", async () => {
    const dir = tmpFiles({});
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    const src = await openPath(fifo);
    expect(src.again).toBeUndefined();
    await src.close();
    expect(streamSource(process.stdin).again).toBeUndefined();
  });
});
