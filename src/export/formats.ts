import type { ExportFormat } from "./format.js";
import { nftables } from "./nftables.js";
import { ip6tables, iptables, ipset } from "./iptables.js";
import { windowsFirewall } from "./windows-firewall.js";
import { awsSecurityGroup } from "./aws-security-group.js";
import { azureNsg } from "./azure-nsg.js";

/** Every export format, in the order `--help` lists them. One module per format. */
export const EXPORT_FORMATS: readonly ExportFormat[] = [nftables, iptables, ip6tables, ipset, windowsFirewall, awsSecurityGroup, azureNsg];

export function exportFormat(id: string): ExportFormat | undefined {
  return EXPORT_FORMATS.find((f) => f.id === id);
}
