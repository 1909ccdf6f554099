export function rng(seed: number): () => number;
export const KCPS_ROLES: string[];
export interface Inventory { yaml: string; pools: unknown[]; prefixes: number }
export function makeInventory(n: number, seed?: number): Inventory;
export function makeRecords(inv: Inventory, records: number, write: (chunk: string) => void, o?: { seed?: number; flows?: number; start?: number; replies?: "any" | "system" }): void;
