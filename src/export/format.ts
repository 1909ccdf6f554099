import type { ExportPlan } from "./compile.js";

/** What `export` passes every format besides the plan. */
export interface RenderOptions {
  /** Log prefix before the action word (formats that log): "portmatrix" gives "portmatrix DROP ". */
  logPrefix: string;
  /** Also log the first packet of each accepted connection ("portmatrix ACCEPT "). */
  logAccepted: boolean;
  /** Name of the table, chain, group or stack the export creates (per format's own rules). */
  table: string;
  /** iptables: match roles with ipset sets (written by --to ipset) instead of address lists. */
  ipset: boolean;
}

export interface ExportFormat {
  id: string;
  title: string;
  render(plan: ExportPlan, opts: RenderOptions): string;
  /** Whether --log-prefix and --log-accepted mean anything for this format. */
  usesLog: boolean;
}
