// unbzip2-stream ships no types: the one call portmatrix makes (src/source/compress.ts).
declare module "unbzip2-stream" {
  import type { Duplex } from "node:stream";
  export default function unbzip2Stream(): Duplex;
}
