import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "../decode/batch.js";
import type { ExportPlan, Opening } from "./compile.js";
import { UsageError } from "../errors.js";
import { headerLines, oneLine, rangesText } from "./trace.js";
import type { ExportFormat, RenderOptions } from "./format.js";

/**
 * AWS: a CloudFormation template (JSON) with one security group per role. Each opening becomes an
 * AWS::EC2::SecurityGroupIngress on the destination role's group whose source is the source role's
 * group, and the matching AWS::EC2::SecurityGroupEgress on the source role's group; separate rule
 * resources, because groups that reference each other inline form a dependency cycle CloudFormation
 * refuses. Each group's inline egress list holds one rule to 127.0.0.1/32 so that EC2's default
 * allow-all egress rule is removed (AWS::EC2::SecurityGroup, SecurityGroupEgress). JSON has no
 * comments: the trace is in each resource's Metadata (free JSON) and, cut to what EC2 accepts, in the
 * rule's Description.
 */

/** EC2 rule descriptions: up to 255 characters of a-zA-Z0-9. _-:/()#,@[]+=&;{}!$* and space. */
export function ec2Description(s: string): string {
  return oneLine(s.replace(/->/g, "to").replace(/~/g, "-").replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, " ")).slice(0, 255);
}

/** CloudFormation logical ids are alphanumeric. */
export function logicalId(...parts: string[]): string {
  return parts.map((p) => p.split(/[^a-zA-Z0-9]+/).map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : "")).join("")).join("");
}

function ipProtocol(proto: number): string {
  return proto === PROTO_TCP ? "tcp" : proto === PROTO_UDP ? "udp" : proto === PROTO_ICMP ? "icmp" : proto === PROTO_ICMPV6 ? "icmpv6" : String(proto);
}

/** [FromPort, ToPort] pairs: port ranges, or for ICMP the type with every code (-1). */
function portPairs(o: Opening): [number, number][] {
  if (o.proto === PROTO_ICMP || o.proto === PROTO_ICMPV6) {
    const all = o.ports.length === 1 && o.ports[0]![0] === 0 && o.ports[0]![1] === 255;
    if (all) return [[-1, -1]];
    return o.ports.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, k): [number, number] => [a + k, -1]));
  }
  return o.ports.map(([a, b]) => [a, b]);
}

function ruleMetadata(o: Opening): Record<string, unknown> {
  const m: Record<string, unknown> = { rule: o.rule.id, from: o.from, to: o.to, purpose: o.rule.purpose, seed: o.rule.source };
  if (o.rule.inferred) m.inferred = oneLine(o.rule.inferredReason ?? "");
  if (o.rule.requirement === "conditional") m.conditional = o.rule.condition ?? "";
  if (o.rule.mirrorOf !== undefined) m.mirrorOf = o.rule.mirrorOf;
  if (o.sourcePorts) m.sourcePortsNotEnforced = `client ports ${rangesText(o.sourcePorts)}: a security group cannot match source ports`;
  return m;
}

export function renderAwsSecurityGroup(plan: ExportPlan, opts: RenderOptions): string {
  const resources: Record<string, unknown> = {};
  const sg = (role: string) => logicalId("Sg", role);
  for (const r of plan.roles) {
    resources[sg(r.id)] = {
      Type: "AWS::EC2::SecurityGroup",
      Properties: {
        GroupDescription: ec2Description(`${opts.table} ${plan.ruleset.id} role ${r.id}: ${r.title}`),
        VpcId: { Ref: "VpcId" },
        SecurityGroupEgress: [{ IpProtocol: "-1", CidrIp: "127.0.0.1/32", Description: "no egress but the rules of this template (removes the default allow-all rule)" }],
        Tags: [{ Key: "Name", Value: `${opts.table}-${plan.ruleset.id}-${r.id}` }, { Key: "portmatrix:role", Value: r.id }],
      },
    };
  }
  for (const o of plan.openings) {
    const desc = ec2Description(`${o.rule.id}${o.rule.inferred ? " INFERRED" : ""}: ${o.rule.source}`);
    for (const [from, to] of portPairs(o)) {
      const suffix = `${ipProtocol(o.proto)}${from < 0 ? "" : from}${to > from ? `to${to}` : ""}`;
      const base = { IpProtocol: ipProtocol(o.proto), FromPort: from, ToPort: to, Description: desc };
      const inId = logicalId("In", o.rule.id, suffix);
      if (resources[inId] !== undefined) throw new UsageError(`rule ids ${o.rule.id} and another one give the same CloudFormation logical id ${inId}`);
      resources[inId] = {
        Type: "AWS::EC2::SecurityGroupIngress",
        Metadata: { portmatrix: ruleMetadata(o) },
        Properties: { GroupId: { "Fn::GetAtt": [sg(o.to), "GroupId"] }, SourceSecurityGroupId: { "Fn::GetAtt": [sg(o.from), "GroupId"] }, ...base },
      };
      resources[logicalId("Out", o.rule.id, suffix)] = {
        Type: "AWS::EC2::SecurityGroupEgress",
        Metadata: { portmatrix: ruleMetadata(o) },
        Properties: { GroupId: { "Fn::GetAtt": [sg(o.from), "GroupId"] }, DestinationSecurityGroupId: { "Fn::GetAtt": [sg(o.to), "GroupId"] }, ...base },
      };
    }
  }
  const sorted = Object.fromEntries(Object.keys(resources).sort().map((k) => [k, resources[k]]));
  const template = {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: ec2Description(`portmatrix export: ${plan.ruleset.title}, one security group per role`).slice(0, 1024),
    Metadata: { portmatrix: { header: headerLines(plan, "aws-security-group") } },
    Parameters: { VpcId: { Type: "AWS::EC2::VPC::Id", Description: "the VPC the security groups belong to" } },
    Resources: sorted,
    Outputs: Object.fromEntries(plan.roles.map((r) => [sg(r.id), { Description: `security group of role ${r.id}`, Value: { "Fn::GetAtt": [sg(r.id), "GroupId"] } }])),
  };
  return JSON.stringify(template, null, 2) + "\n";
}

export const awsSecurityGroup: ExportFormat = {
  id: "aws-security-group",
  title: "CloudFormation template (JSON): a security group per role, rules referencing each other's groups",
  render: renderAwsSecurityGroup,
  usesLog: false,
};
