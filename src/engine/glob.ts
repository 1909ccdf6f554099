/**
 * File globs for engines that cannot list files themselves (chDB reads globs but gives no listing):
 * `*` and `?` within a path segment, `**` across segments, `{a,b}` alternatives. Sorted.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export function hasGlob(p: string): boolean {
  return /[*?{]/.test(p);
}

function segmentRegex(seg: string): RegExp {
  let re = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "{") {
      const end = seg.indexOf("}", i);
      if (end < 0) { re += "\\{"; continue; }
      re += `(?:${seg.slice(i + 1, end).split(",").map((x) => x.replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")).join("|")})`;
      i = end;
    } else re += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export function expandGlob(pattern: string): string[] {
  if (!hasGlob(pattern)) {
    const st = statSync(pattern, { throwIfNoEntry: false });
    return st?.isFile() ? [pattern] : [];
  }
  const abs = pattern.startsWith("/");
  const parts = pattern.split("/").filter((p, i) => p !== "" || i === 0);
  const out: string[] = [];
  const walk = (dir: string, k: number): void => {
    if (k === parts.length) {
      if (statSync(dir, { throwIfNoEntry: false })?.isFile()) out.push(dir);
      return;
    }
    const seg = parts[k]!;
    if (seg === "" && k === 0) { walk("/", 1); return; }
    if (!hasGlob(seg)) { walk(dir === "" ? seg : join(dir, seg), k + 1); return; }
    let names: string[];
    try {
      names = readdirSync(dir === "" ? "." : dir);
    } catch {
      return;
    }
    if (seg === "**") {
      walk(dir, k + 1);
      for (const n of names) {
        const p = dir === "" ? n : join(dir, n);
        if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p, k);
      }
      return;
    }
    const re = segmentRegex(seg);
    for (const n of names) if (re.test(n)) walk(dir === "" ? n : join(dir, n), k + 1);
  };
  walk(abs ? "" : "", 0);
  return [...new Set(out)].sort();
}
