import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The providers' published schemas, as npm packages carry them:
 * - AWS: the CloudFormation Resource Specification (@aws-cdk/cfnspec, spec/specification.json), the
 *   document AWS publishes for every resource type, property, required flag and primitive type;
 * - Azure: the Network REST API model (@azure/arm-network, generated from the azure-rest-api-specs
 *   OpenAPI files): the serialised property names and types of NetworkSecurityGroup and SecurityRule,
 *   and the values the service accepts for protocol, access and direction.
 * Each validator returns every problem as "where: what".
 */

const require = createRequire(import.meta.url);

interface SpecProperty {
  Required?: boolean;
  PrimitiveType?: string;
  Type?: string;
  ItemType?: string;
  PrimitiveItemType?: string;
}
interface SpecType { Properties?: Record<string, SpecProperty>; Attributes?: Record<string, unknown> }
interface CfnSpec { ResourceSpecificationVersion: string; ResourceTypes: Record<string, SpecType>; PropertyTypes: Record<string, SpecType> }

export function cfnSpec(): CfnSpec {
  return JSON.parse(readFileSync(require.resolve("@aws-cdk/cfnspec/spec/specification.json"), "utf8")) as CfnSpec;
}

/** AWS-specific parameter types CloudFormation accepts (User Guide, Parameters, "Type"). */
const PARAMETER_TYPES = ["String", "Number", "List<Number>", "CommaDelimitedList", "AWS::EC2::VPC::Id", "AWS::EC2::SecurityGroup::Id", "AWS::EC2::Subnet::Id"];

export function validateCloudFormation(t: Record<string, unknown>, spec: CfnSpec): string[] {
  const errors: string[] = [];
  const params = (t.Parameters ?? {}) as Record<string, { Type?: string }>;
  for (const [k, p] of Object.entries(params)) if (!PARAMETER_TYPES.includes(p.Type ?? "")) errors.push(`Parameters.${k}: unknown type ${p.Type}`);
  const resources = (t.Resources ?? {}) as Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: unknown }>;
  if (Object.keys(resources).length > 500) errors.push("more than 500 resources (CloudFormation quota)");
  const intrinsic = (v: unknown, where: string): boolean => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === "string") {
      if (!(o.Ref in params) && !(o.Ref in resources)) errors.push(`${where}: Ref to unknown ${o.Ref}`);
      return true;
    }
    const g = o["Fn::GetAtt"];
    if (Array.isArray(g)) {
      const [res, attr] = g as [string, string];
      const type = resources[res]?.Type;
      if (!type) errors.push(`${where}: GetAtt of unknown resource ${res}`);
      else if (!(attr in (spec.ResourceTypes[type]?.Attributes ?? {}))) errors.push(`${where}: ${type} has no attribute ${attr}`);
      return true;
    }
    return false;
  };
  const checkPrimitive = (v: unknown, type: string, where: string) => {
    if (intrinsic(v, where)) return;
    const ok = type === "String" ? typeof v === "string" : type === "Integer" ? Number.isInteger(v) : type === "Boolean" ? typeof v === "boolean" : type === "Json" ? typeof v === "object" : true;
    if (!ok) errors.push(`${where}: expected ${type}, got ${JSON.stringify(v)}`);
  };
  const checkObject = (props: Record<string, unknown>, def: SpecType, owner: string, where: string) => {
    for (const [k, p] of Object.entries(def.Properties ?? {})) if (p.Required && !(k in props)) errors.push(`${where}: required property ${k} missing`);
    for (const [k, v] of Object.entries(props)) {
      const p = def.Properties?.[k];
      if (!p) { errors.push(`${where}: unknown property ${k}`); continue; }
      checkValue(v, p, owner, `${where}.${k}`);
    }
  };
  const checkValue = (v: unknown, p: SpecProperty, owner: string, where: string) => {
    if (p.PrimitiveType) return checkPrimitive(v, p.PrimitiveType, where);
    if (p.Type === "List") {
      if (!Array.isArray(v)) { errors.push(`${where}: expected a list`); return; }
      v.forEach((item, i) => {
        if (p.PrimitiveItemType) checkPrimitive(item, p.PrimitiveItemType, `${where}[${i}]`);
        else checkItem(item, p.ItemType!, owner, `${where}[${i}]`);
      });
      return;
    }
    if (p.Type) checkItem(v, p.Type, owner, where);
  };
  const checkItem = (v: unknown, type: string, owner: string, where: string) => {
    const def = spec.PropertyTypes[`${owner}.${type}`] ?? spec.PropertyTypes[type];
    if (!def) { errors.push(`${where}: property type ${type} not in the specification`); return; }
    if (v === null || typeof v !== "object" || Array.isArray(v)) { errors.push(`${where}: expected an object`); return; }
    checkObject(v as Record<string, unknown>, def, owner, where);
  };
  for (const [id, r] of Object.entries(resources)) {
    if (!/^[A-Za-z0-9]{1,255}$/.test(id)) errors.push(`${id}: logical ids are alphanumeric`);
    const def = spec.ResourceTypes[r.Type];
    if (!def) { errors.push(`${id}: unknown resource type ${r.Type}`); continue; }
    checkObject(r.Properties ?? {}, def, r.Type, id);
  }
  return errors;
}

interface Mapper { serializedName?: string; readOnly?: boolean; type: { name: string; className?: string; element?: Mapper; modelProperties?: Record<string, Mapper> } }

export async function azureNetworkModel(): Promise<{ mappers: Record<string, Mapper>; known: Record<string, Record<string, string>> }> {
  // The package exports only its index; the mappers (the REST model) are read from their file.
  const root = dirname(require.resolve("@azure/arm-network/package.json"));
  const mappers = (await import(pathToFileURL(join(root, "dist/esm/models/mappers.js")).href)) as Record<string, Mapper>;
  const known = (await import(pathToFileURL(join(root, "dist/esm/models/index.js")).href)) as Record<string, Record<string, string>>;
  return { mappers, known };
}

/** Validate one ARM resource of type networkSecurityGroups against the REST model. */
export function validateNsg(res: Record<string, unknown>, model: Awaited<ReturnType<typeof azureNetworkModel>>): string[] {
  const errors: string[] = [];
  const { mappers, known } = model;
  const where = `NSG ${String(res.name)}`;
  for (const k of Object.keys(res)) if (!["type", "apiVersion", "name", "location", "tags", "properties", "dependsOn"].includes(k)) errors.push(`${where}: unknown resource field ${k}`);
  const checkModel = (obj: Record<string, unknown>, className: string, at: string) => {
    const props = mappers[className]!.type.modelProperties!;
    const bySerial = new Map(Object.values(props).map((m) => [m.serializedName ?? "", m]));
    const flat: [string, unknown][] = [];
    for (const [k, v] of Object.entries(obj)) {
      if (k === "properties" && v && typeof v === "object") for (const [pk, pv] of Object.entries(v)) flat.push([`properties.${pk}`, pv]);
      else flat.push([k, v]);
    }
    for (const [k, v] of flat) {
      const m = bySerial.get(k);
      if (!m) { errors.push(`${at}: ${k} is not a property of ${className}`); continue; }
      if (m.readOnly) errors.push(`${at}: ${k} is read-only`);
      checkType(v, m, `${at}.${k}`);
    }
  };
  const checkType = (v: unknown, m: Mapper, at: string) => {
    const t = m.type.name;
    if (t === "String" && typeof v !== "string") errors.push(`${at}: expected a string`);
    if (t === "Number" && !Number.isInteger(v)) errors.push(`${at}: expected an integer`);
    if (t === "Boolean" && typeof v !== "boolean") errors.push(`${at}: expected a boolean`);
    if (t === "Dictionary" && (v === null || typeof v !== "object")) errors.push(`${at}: expected an object`);
    if (t === "Sequence") {
      if (!Array.isArray(v)) { errors.push(`${at}: expected an array`); return; }
      v.forEach((x, i) => checkType(x, m.type.element!, `${at}[${i}]`));
    }
    if (t === "Composite" && m.type.className) {
      if (v === null || typeof v !== "object") errors.push(`${at}: expected an object`);
      else checkModel(v as Record<string, unknown>, m.type.className, at);
    }
  };
  const { type, apiVersion, name, dependsOn, ...body } = res;
  void name; void dependsOn;
  if (type !== "Microsoft.Network/networkSecurityGroups") errors.push(`${where}: type ${String(type)}`);
  if (typeof apiVersion !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(apiVersion)) errors.push(`${where}: apiVersion ${String(apiVersion)}`);
  checkModel(body, "NetworkSecurityGroup", where);
  const rules = ((res.properties as { securityRules?: { name: string; properties: Record<string, unknown> }[] })?.securityRules) ?? [];
  const priorities = new Set<string>();
  const names = new Set<string>();
  for (const r of rules) {
    const at = `${where} rule ${r.name}`;
    const p = r.properties;
    if (!Object.values(known.KnownSecurityRuleProtocol!).includes(p.protocol as string)) errors.push(`${at}: protocol ${String(p.protocol)}`);
    if (!Object.values(known.KnownSecurityRuleAccess!).includes(p.access as string)) errors.push(`${at}: access ${String(p.access)}`);
    if (!Object.values(known.KnownSecurityRuleDirection!).includes(p.direction as string)) errors.push(`${at}: direction ${String(p.direction)}`);
    // Documented limits (securityRules, priority and name): 100..4096, unique per direction; names 1-80.
    const prio = p.priority as number;
    if (prio < 100 || prio > 4096) errors.push(`${at}: priority ${prio} outside 100..4096`);
    const key = `${String(p.direction)}/${prio}`;
    if (priorities.has(key)) errors.push(`${at}: priority ${prio} used twice`);
    priorities.add(key);
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,78}[a-zA-Z0-9_])?$/.test(r.name)) errors.push(`${at}: bad rule name`);
    if (names.has(r.name)) errors.push(`${at}: name used twice`);
    names.add(r.name);
    if (typeof p.description === "string" && p.description.length > 140) errors.push(`${at}: description longer than 140`);
  }
  return errors;
}
