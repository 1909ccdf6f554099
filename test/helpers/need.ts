/**
 * What a test needs from the machine: a tool on PATH, root and network namespaces, the shared corpus.
 * When a need is missing and `CI` is set, the test FAILS saying what is missing (`.ci/run` installs
 * every Debian package a test needs, so a green CI run means the test ran); elsewhere it is skipped,
 * with the reason in the skipped test's name and on stderr. Every test with such a need goes through
 * `describeNeeding` or `itNeeding`, never through its own `skipIf`.
 */
import { accessSync, constants, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

/** The repository's root (this file is test/helpers/need.ts), whatever the working directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** `CI` counts as set unless it is empty, "0" or "false" (CI services set CI=true). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI;
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

/** A need: undefined when it is met, else what is missing, as the skip or failure message says it. */
export type Lack = string | undefined;
type Need = Lack | (() => Lack);

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The tool's path on PATH (as spawn would find it), or undefined. */
export function findTool(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const p = join(dir, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

/** Debian packages that provide each tool a test runs (what .ci/run installs). */
const PACKAGE: Record<string, string> = {
  ip: "iproute2", ss: "iproute2", nft: "nftables", tcpdump: "tcpdump", tshark: "tshark", dumpcap: "wireshark-common",
  chromium: "chromium", ping: "iputils-ping", python3: "python3", dmesg: "util-linux", flock: "util-linux",
  unshare: "util-linux", timeout: "coreutils", samba: "samba", "samba-tool": "samba-common-bin",
  net: "samba-common-bin", nmblookup: "samba-common-bin", kinit: "krb5-user", kpasswd: "krb5-user",
  ldapsearch: "ldap-utils", smbclient: "smbclient", rpcclient: "smbclient", dig: "dnsutils",
  "iptables-restore": "iptables", "ip6tables-restore": "iptables", ipset: "ipset",
  softflowd: "softflowd", softflowctl: "softflowd", pmacctd: "pmacct", nfcapd: "nfdump", nfdump: "nfdump",
  logger: "bsdutils",
};

/** Every tool must be on PATH. */
export function needTool(...names: string[]): Lack {
  for (const n of names) {
    if (findTool(n) === undefined) return `${n} not installed${PACKAGE[n] ? ` (Debian package ${PACKAGE[n]})` : ""}`;
  }
  return undefined;
}

/** Root on Linux (network namespaces, nftables and packet capture need it). */
export function needRoot(): Lack {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root";
  return undefined;
}

/** Network namespaces can be listed (the kernel and iproute2 support them). */
export function needNetns(): Lack {
  const tool = needTool("ip");
  if (tool) return tool;
  return spawnSync("ip", ["netns", "list"]).status === 0 ? undefined : "no network namespaces (ip netns list failed)";
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The shared corpus (the folder holding logs/ and pcap/): $PORTMATRIX_CORPUS when set, else
 * shared/corpus beside the repository (a clone next to shared/, as CI lays it) or beside its parent
 * (a git worktree one level further down). Found from the repository root, not the working directory.
 */
export function corpusDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env.PORTMATRIX_CORPUS;
  if (given !== undefined && given !== "") return isDir(join(given, "logs")) ? resolve(given) : undefined;
  for (const up of [[".."], ["..", ".."]]) {
    const p = join(REPO_ROOT, ...up, "shared", "corpus");
    if (isDir(join(p, "logs"))) return p;
  }
  return undefined;
}

export function needCorpus(env: NodeJS.ProcessEnv = process.env): Lack {
  if (corpusDir(env) !== undefined) return undefined;
  const given = env.PORTMATRIX_CORPUS;
  if (given !== undefined && given !== "") return `PORTMATRIX_CORPUS=${given} holds no logs/ folder`;
  return `no shared corpus at ${join(REPO_ROOT, "..", "shared", "corpus")} or ${join(REPO_ROOT, "..", "..", "shared", "corpus")} (set PORTMATRIX_CORPUS)`;
}

/**
 * The vendors' seed documents (000_*.txt, 004_*.txt): $PORTMATRIX_SEEDS when set, else shared/seeds
 * beside the repository or beside its parent, as for the corpus. They are not copied into the
 * repository: the SKYDIV document's own notice reserves reproduction to its vendor.
 */
export function seedsDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env.PORTMATRIX_SEEDS;
  if (given !== undefined && given !== "") return isDir(given) ? resolve(given) : undefined;
  for (const up of [[".."], ["..", ".."]]) {
    const p = join(REPO_ROOT, ...up, "shared", "seeds");
    if (isDir(p)) return p;
  }
  return undefined;
}

export function needSeeds(env: NodeJS.ProcessEnv = process.env): Lack {
  if (seedsDir(env) !== undefined) return undefined;
  const given = env.PORTMATRIX_SEEDS;
  if (given !== undefined && given !== "") return `PORTMATRIX_SEEDS=${given} is not a folder`;
  return `no seed documents at ${join(REPO_ROOT, "..", "shared", "seeds")} or ${join(REPO_ROOT, "..", "..", "shared", "seeds")} (set PORTMATRIX_SEEDS)`;
}

/** The first missing need, in order (later needs may assume earlier ones, as netns assumes ip). */
export function firstLack(needs: readonly Need[]): Lack {
  for (const n of needs) {
    const lack = typeof n === "function" ? n() : n;
    if (lack !== undefined) return lack;
  }
  return undefined;
}

function failing(name: string, lack: string): () => never {
  return () => {
    throw new Error(`${name}: ${lack}. CI is set, so this fails instead of being skipped; .ci/run installs what the tests need`);
  };
}

/** A describe block that runs only when every need is met (see the file comment for what happens when not). */
export function describeNeeding(needs: readonly Need[], name: string, body: () => void): void {
  const lack = firstLack(needs);
  if (lack === undefined) describe(name, body);
  else if (inCi()) describe(name, () => { it(`has what it needs (${lack})`, failing(name, lack)); });
  else {
    console.warn(`${name}: skipped, ${lack}`);
    describe.skip(`${name} [skipped: ${lack}]`, body);
  }
}

/** One test that runs only when every need is met (see the file comment for what happens when not). */
export function itNeeding(needs: readonly Need[], name: string, fn: () => unknown, timeout?: number): void {
  const lack = firstLack(needs);
  if (lack === undefined) it(name, fn, timeout);
  else if (inCi()) it(`${name} (needs: ${lack})`, failing(name, lack));
  else {
    console.warn(`${name}: skipped, ${lack}`);
    it.skip(`${name} [skipped: ${lack}]`, fn, timeout);
  }
}
