/**
 * Every input format, in detection order: binary formats by their first bytes (a capture of flow exports
 * before the plain capture formats), then text formats by their lines, where the format that recognises
 * most of an input's first lines wins and a tie goes to the earlier one: a vendor's dialect before the
 * generic envelope it uses (CEF, LEEF), a header-only format (CSV) last. Each record lives in its format's
 * own module (see decode/format.ts); adding a format is one import and one entry here.
 */
import { textFormatRecord, type FormatRecord } from "./format.js";
import { netflowFormat } from "./flow/export-capture.js";
import { pcapFormat } from "./pcap/classic.js";
import { pcapngFormat } from "./pcapng/reader.js";
import { netfilterFormat } from "./log/netfilter.js";
import { windowsFirewallFormat } from "./log/windows-firewall.js";
import { ciscoAsaFormat } from "./log/cisco-asa.js";
import { juniperSrxFormat } from "./log/juniper-srx.js";
import { netscreenFormat } from "./log/netscreen.js";
import { sonicwallFormat } from "./log/sonicwall.js";
import { sophosFormat } from "./log/sophos.js";
import { watchguardFormat } from "./log/watchguard.js";
import { stormshieldFormat } from "./log/stormshield.js";
import { barracudaFormat } from "./log/barracuda.js";
import { forcepointFormat } from "./log/forcepoint.js";
import { pfBsdFormat } from "./log/pf-bsd.js";
import { ipfwFormat } from "./log/ipfw.js";
import { panosFormat } from "./log/panos.js";
import { fortigateFormat } from "./log/fortigate.js";
import { checkpointFormat } from "./log/checkpoint.js";
import { cefFormat, leefFormat } from "./log/cef.js";
import { filterlogFormat } from "./log/filterlog.js";
import { awsVpcFlowFormat } from "./log/aws-vpc-flow.js";
import { azureFlowFormat } from "./log/azure-flow.js";
import { gcpFormat } from "./log/gcp.js";
import { zeekConnFormat } from "./log/zeek-conn.js";
import { ecsFormat } from "./log/ecs.js";
import { nfdumpCsvFormat } from "./log/nfdump-csv.js";
import { nfdumpJsonFormat } from "./log/nfdump-json.js";
import { suricataEveFormat } from "./log/suricata-eve.js";
import { csvFormat } from "./log/csv.js";

export const FORMATS: readonly FormatRecord[] = [
  netflowFormat,
  pcapFormat,
  pcapngFormat,
  netfilterFormat,
  windowsFirewallFormat,
  textFormatRecord(ciscoAsaFormat),
  textFormatRecord(juniperSrxFormat),
  textFormatRecord(netscreenFormat),
  textFormatRecord(sonicwallFormat),
  textFormatRecord(sophosFormat),
  textFormatRecord(watchguardFormat),
  textFormatRecord(stormshieldFormat),
  textFormatRecord(barracudaFormat),
  textFormatRecord(forcepointFormat),
  textFormatRecord(pfBsdFormat),
  textFormatRecord(ipfwFormat),
  textFormatRecord(panosFormat),
  textFormatRecord(fortigateFormat),
  textFormatRecord(checkpointFormat),
  textFormatRecord(filterlogFormat),
  textFormatRecord(awsVpcFlowFormat),
  textFormatRecord(azureFlowFormat),
  textFormatRecord(gcpFormat),
  textFormatRecord(zeekConnFormat),
  textFormatRecord(ecsFormat),
  textFormatRecord(cefFormat),
  textFormatRecord(leefFormat),
  nfdumpCsvFormat,
  nfdumpJsonFormat,
  suricataEveFormat,
  csvFormat,
];
