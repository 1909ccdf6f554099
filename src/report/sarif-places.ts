/**
 * Where the files a SARIF log names are, so that a code-scanning platform links them: relative URIs
 * against a base id (SARIF 2.1.0 §3.4.4 uriBaseId, §3.14.14 originalUriBaseIds), never the absolute
 * paths of the machine that ran the check (README "SARIF").
 *
 * - `%SRCROOT%`: the source tree (the git work tree holding the working directory, or `--sarif-root`).
 *   GitHub code scanning resolves it to the repository it analyses.
 * - `PORTMATRIX`: the portmatrix package, for the rulesets it ships (`rulesets/<id>.yaml`) when they
 *   are not part of the source tree (installed under node_modules or globally).
 * - anything else (a log in /var/log): an absolute `file:` URI, the only way to name it.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { VERSION } from "./build.js";

export const SRCROOT = "%SRCROOT%";
export const PACKAGE_ROOT = "PORTMATRIX";

export interface SarifPlaces {
  /** The source tree's root (%SRCROOT%). */
  srcRoot: string;
  /** The portmatrix package's root (PORTMATRIX), or undefined to name shipped rulesets by absolute URI. */
  packageRoot?: string;
  /** What the report's relative paths are relative to: the working directory of the run. */
  cwd: string;
}

export interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

/** `rel` below its base, or undefined when it is not (`..`, another drive, or inside node_modules). */
function below(base: string, abs: string, node_modulesToo: boolean): string | undefined {
  const rel = relative(base, abs);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  const parts = rel.split(sep);
  if (!node_modulesToo && parts.includes("node_modules")) return undefined;
  return parts.map(encodeURIComponent).join("/");
}

export class Places {
  /** The base ids used so far: only those go into originalUriBaseIds. */
  private readonly used = new Set<string>();
  constructor(private readonly p: SarifPlaces) {}

  /** A file of the report (a ruleset, an input, the inventory) as an artifact location. */
  artifact(path: string): ArtifactLocation {
    const abs = resolve(this.p.cwd, path);
    // Installed packages under the source tree (node_modules) are not in the repository: their own base.
    const inTree = below(this.p.srcRoot, abs, false);
    if (inTree !== undefined) return this.use({ uri: inTree, uriBaseId: SRCROOT });
    // Only the shipped rulesets are named by the package: any other file in it is named as it is.
    const inPackage = this.p.packageRoot !== undefined ? below(this.p.packageRoot, abs, true) : undefined;
    if (inPackage !== undefined && inPackage.startsWith("rulesets/")) return this.use({ uri: inPackage, uriBaseId: PACKAGE_ROOT });
    return { uri: pathToFileURL(abs).href };
  }

  private use(a: ArtifactLocation): ArtifactLocation {
    this.used.add(a.uriBaseId!);
    return a;
  }

  /** §3.14.14: each base id's absolute URI on this machine, ending with "/". */
  originalUriBaseIds(): Record<string, { uri: string; description: { text: string } }> {
    const dir = (d: string) => pathToFileURL(d.endsWith(sep) ? d : d + sep).href;
    const out: Record<string, { uri: string; description: { text: string } }> = {};
    out[SRCROOT] = { uri: dir(this.p.srcRoot), description: { text: "The source tree: the git work tree holding the directory portmatrix ran in, or --sarif-root" } };
    if (this.used.has(PACKAGE_ROOT) && this.p.packageRoot !== undefined) {
      out[PACKAGE_ROOT] = { uri: dir(this.p.packageRoot), description: { text: `The portmatrix ${VERSION} package: its shipped rulesets are rulesets/<id>.yaml` } };
    }
    return out;
  }
}
