/**
 * The read ring where no thread can be had (a limit on threads or processes: Node's Worker throws
 * ERR_WORKER_INIT_FAILED, "EAGAIN"): unforced, the source reads the file itself, with the same bytes;
 * forced (PORTMATRIX_READ=ring), the failure is the run's error. node:worker_threads is mocked here, so
 * this file holds only these tests.
 */
import { describe, expect, it, vi } from "vitest";
import { join } from "node:path";
import { tmpFiles } from "../helpers/tmp.js";

vi.mock("node:worker_threads", async (original) => {
  const real = await original<typeof import("node:worker_threads")>();
  class NoThread {
    constructor() {
      throw Object.assign(new Error("EAGAIN"), { code: "ERR_WORKER_INIT_FAILED" });
    }
  }
  return { ...real, Worker: NoThread, default: { ...real, Worker: NoThread } };
});

const { openPath } = await import("../../src/source/raw.js");
const { ReadRing, READ_RING_MIN_BYTES } = await import("../../src/source/read-ring.js");

describe("the read ring without a thread", () => {
  const content = Buffer.alloc(3 * 65536 + 5, 7);
  const path = join(tmpFiles({ "f.bin": content }), "f.bin");
  const sab = new SharedArrayBuffer(4 * 65536);
  const areas = { buffer: () => sab, at: [0, 65536, 131072, 196608], size: 65536 };

  it("unforced, leaves the reading to the source", async () => {
    const ring = new ReadRing(areas, { PORTMATRIX_READ: "" });
    const take = ring.take.bind(ring);
    vi.spyOn(ring, "take").mockImplementation((fd, pos, left) => take(fd, pos, left + READ_RING_MIN_BYTES));
    const src = await openPath(path);
    const into = Buffer.alloc(65536);
    const parts: Buffer[] = [];
    for (let c = await src.nextInto!(into, ring); c !== null; c = await src.nextInto!(into, ring)) {
      expect(c.buffer).not.toBe(sab);
      parts.push(Buffer.from(c));
    }
    await src.close();
    await ring.stop();
    expect(Buffer.concat(parts).equals(content)).toBe(true);
  });

  it("forced, is the run's error", async () => {
    const ring = new ReadRing(areas, { PORTMATRIX_READ: "ring" });
    const src = await openPath(path);
    await expect(src.nextInto!(Buffer.alloc(65536), ring)).rejects.toThrow("EAGAIN");
    await src.close();
  });
});
