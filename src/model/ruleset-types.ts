/**
 * The ruleset file format (YAML), as read from disk before variables are resolved.
 * `rulesets/ruleset.schema.json` publishes the same shape for editors; test/model/schema.test.ts keeps
 * the two in step. docs/ruleset-format.md explains every field with examples.
 */

/** A port, a range "a-b", a variable "${name}", or a range object whose ends are expressions. */
export type PortSpec = number | string | { from: number | string; to: number | string };

/** One line of a service: a protocol key with its ports (tcp/udp) or types (icmp/icmpv6). */
export interface ServicePortsRaw {
  tcp?: PortSpec | PortSpec[];
  udp?: PortSpec | PortSpec[];
  /** ICMP types (0..255) or "any". */
  icmp?: number | number[] | "any";
  icmpv6?: number | number[] | "any";
}

export interface ServiceRaw {
  id: string;
  title: string;
  description?: string;
  ports: ServicePortsRaw[];
  /** Where the port list comes from (document, reference). */
  source?: string;
}

export interface VariableRaw {
  /** "port" (1..65535), "integer", or "string" (then `enum` lists the allowed values). */
  type: "port" | "integer" | "string";
  default: number | string;
  description: string;
  enum?: string[];
  min?: number;
  max?: number;
}

export interface RoleRaw {
  id: string;
  title: string;
  description?: string;
}

export interface ScenarioRaw {
  id: string;
  title: string;
  description?: string;
}

export interface ConditionRaw {
  variable: string;
  equals: string | number;
}

export interface RuleRaw {
  id: string;
  from: string;
  to: string;
  services: string[];
  /** Scenario ids (phases) in which the flow happens. */
  scenarios: string[];
  requirement: "required" | "conditional";
  /** Required when requirement is conditional: the condition, in words. */
  condition?: string;
  purpose: string;
  /** The seed row or note this rule comes from. */
  source: string;
  inferred?: boolean;
  /** Required when inferred is true: why the rule is believed although the text does not state it. */
  inferred_reason?: string;
  /** Client (source) ports the flow uses; any source port when absent. */
  source_ports?: PortSpec | PortSpec[];
  /** The rule is active only when this holds. */
  enabled_when?: ConditionRaw;
  /** When this holds, the same opening is also required in the reverse direction. */
  mirrored_when?: ConditionRaw;
  /** Rules whose flows this one stands in for or falls back to (for troubleshooting order). */
  depends_on?: string[];
  /**
   * Another reading of the same document statement (the rule id of the reading counted in coverage):
   * both allow their traffic, but coverage asks for one of them, not for both.
   */
  alternative_of?: string;
  note?: string;
}

export interface ProvenanceRaw {
  document: string;
  seed?: string;
  publisher?: string;
  references?: { title: string; url?: string; note?: string }[];
  notes?: string[];
}

export interface RulesetRaw {
  id: string;
  title: string;
  version: number;
  provenance: ProvenanceRaw;
  variables?: Record<string, VariableRaw>;
  roles: RoleRaw[];
  scenarios: ScenarioRaw[];
  services: ServiceRaw[];
  rules: RuleRaw[];
}
