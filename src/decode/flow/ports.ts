/** UDP ports flow exports are sent to by default: 2055 and 9995 (NetFlow: Cisco, nfdump), 4739 (IPFIX, RFC 7011 section 10.3.2). */
export const DEFAULT_FLOW_EXPORT_PORTS: readonly number[] = [2055, 4739, 9995];
