import type { EventBatch } from "../src/decode/batch.js";
export function jsCounter(bits?: number): Promise<{ connections: number; packets: number; countBatch(b: EventBatch): void }>;
export function buildFloorWasm(): Promise<void>;
export function floorModule(): unknown;
export const CHUNK: number;
export interface FloorOptions { chunk?: number; v4Bits?: number; v6Bits?: number; stride?: number; module?: unknown }
export interface FloorCount { bytes: number; connections: number; ipv6Connections: number; packets: number; ipv4Packets: number; stateTotal(): number }
export function countPcapWasm(read: (into: Uint8Array, offset: number, length: number) => number, options?: FloorOptions): FloorCount;
export function countPcapFileWasm(file: string, options?: FloorOptions): FloorCount;
export function countPcapBytesWasm(data: Uint8Array, step: number, options?: FloorOptions): FloorCount;
