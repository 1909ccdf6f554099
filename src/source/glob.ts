/**
 * Glob patterns for --include and --exclude, compiled to regular expressions. The syntax is the common
 * one of shells and .gitignore:
 *
 *   *        any run of characters except "/"
 *   **       any run of characters including "/": `**\/` is zero or more directories, `/**` all below
 *   ?        one character except "/"
 *   [abc]    one of the characters; ranges `[a-z]`; `[!abc]` or `[^abc]` any but these (never "/")
 *   \x       the character x itself (`\*`, `\[`)
 *
 * Matching is case-sensitive and against the whole string. Paths use "/" between directories.
 */
import { UsageError } from "../errors.js";

/** Characters that mean something in a regular expression outside a class (and may be escaped in "u" mode). */
const SPECIAL = /[.+^${}()|\\/*?[\]]/;

/** The regular expression source of a character class starting after "[" at `i`; returns it and the index after "]". */
function charClass(glob: string, i: number, flag: string): { src: string; next: number } {
  let j = i;
  let negate = false;
  if (glob[j] === "!" || glob[j] === "^") { negate = true; j++; }
  let body = "";
  // A "]" right after the opening (or after the negation) is a member, as in shells.
  if (glob[j] === "]") { body += "\\]"; j++; }
  while (j < glob.length && glob[j] !== "]") {
    let c = glob[j]!;
    const escaped = c === "\\" && j + 1 < glob.length;
    if (escaped) c = glob[++j]!;
    // An escaped "-" is the character, not a range; these four are never left bare in a class.
    body += c === "\\" || c === "]" || c === "^" || c === "[" || (escaped && c === "-") ? `\\${c}` : c;
    j++;
  }
  if (j >= glob.length) throw new UsageError(`${flag} ${glob}: the "[" at character ${i} is never closed; write \\[ for a literal [`);
  if (body === "") throw new UsageError(`${flag} ${glob}: empty character class at character ${i}`);
  return { src: negate ? `[^/${body}]` : `[${body}]`, next: j + 1 };
}

/** The regular expression of a glob (see the module comment); `flag` names the option in errors. */
export function globToRegExp(glob: string, flag = "glob"): RegExp {
  let src = "";
  for (let i = 0; i < glob.length;) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const before = i === 0 || glob[i - 1] === "/";
        const after = glob[i + 2];
        if (before && after === "/") { src += "(?:.*/)?"; i += 3; continue; }
        src += ".*";
        i += 2;
        continue;
      }
      src += "[^/]*";
      i++;
    } else if (c === "?") {
      src += "[^/]";
      i++;
    } else if (c === "[") {
      const cls = charClass(glob, i + 1, flag);
      src += cls.src;
      i = cls.next;
    } else if (c === "\\" && i + 1 < glob.length) {
      const d = glob[i + 1]!;
      src += SPECIAL.test(d) ? `\\${d}` : d;
      i += 2;
    } else {
      src += SPECIAL.test(c) ? `\\${c}` : c;
      i++;
    }
  }
  return new RegExp(`^${src}$`, "u");
}

/** --include / --exclude patterns, compiled once. */
export interface PathFilter {
  include: RegExp[];
  exclude: RegExp[];
}

export function compileFilter(include: readonly string[], exclude: readonly string[]): PathFilter {
  return { include: include.map((g) => globToRegExp(g, "--include")), exclude: exclude.map((g) => globToRegExp(g, "--exclude")) };
}

/** Whether any pattern matches the path relative to the directory given, or its base name. */
function anyMatch(res: readonly RegExp[], rel: string, base: string): boolean {
  return res.some((re) => re.test(rel) || re.test(base));
}

/** A file found in a directory is read when some --include matches (or there is none) and no --exclude does. */
export function keepFile(f: PathFilter, rel: string, base: string): boolean {
  return (f.include.length === 0 || anyMatch(f.include, rel, base)) && !anyMatch(f.exclude, rel, base);
}

/** A directory below the one given is walked unless an --exclude matches it (--include is for files). */
export function keepDirectory(f: PathFilter, rel: string, base: string): boolean {
  return !anyMatch(f.exclude, rel, base);
}
