/**
 * Vendor log formats read through the shared text frame (text-format.ts), in detection order: a
 * more specific format comes before a more general one (a vendor's CEF dialect before plain CEF).
 * Each entry is one module of its own.
 */
import type { TextFormatSpec } from "./text-format.js";
// formats:imports (one import per line, keep this marker)
import { ciscoAsaFormat } from "./cisco-asa.js";
import { juniperSrxFormat } from "./juniper-srx.js";
import { netscreenFormat } from "./netscreen.js";
import { sonicwallFormat } from "./sonicwall.js";
import { sophosFormat } from "./sophos.js";
import { watchguardFormat } from "./watchguard.js";
import { stormshieldFormat } from "./stormshield.js";
import { barracudaFormat } from "./barracuda.js";
import { forcepointFormat } from "./forcepoint.js";
import { pfBsdFormat } from "./pf-bsd.js";
import { ipfwFormat } from "./ipfw.js";
import { panosFormat } from "./panos.js";
import { fortigateFormat } from "./fortigate.js";
import { checkpointFormat } from "./checkpoint.js";
import { cefFormat, leefFormat } from "./cef.js";
import { filterlogFormat } from "./filterlog.js";
import { awsVpcFlowFormat } from "./aws-vpc-flow.js";
import { azureFlowFormat } from "./azure-flow.js";
import { gcpFormat } from "./gcp.js";
import { zeekConnFormat } from "./zeek-conn.js";
import { ecsFormat } from "./ecs.js";

export const VENDOR_FORMATS: TextFormatSpec[] = [
  // formats:list (one entry per line, keep this marker)
  ciscoAsaFormat,
  juniperSrxFormat,
  netscreenFormat,
  sonicwallFormat,
  sophosFormat,
  watchguardFormat,
  stormshieldFormat,
  barracudaFormat,
  forcepointFormat,
  pfBsdFormat,
  ipfwFormat,
  panosFormat,
  fortigateFormat,
  checkpointFormat,
  filterlogFormat,
  awsVpcFlowFormat,
  azureFlowFormat,
  gcpFormat,
  zeekConnFormat,
  ecsFormat,
  // Generic CEF and LEEF stay last: a vendor's dialect wins the tie on its own lines.
  cefFormat,
  leefFormat,
];
