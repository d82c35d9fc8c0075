// Generates source/cluster/embedded/validation/schemas.generated.ts: the
// schemas of the modelled kinds (Gateway API, core, apps, discovery,
// apiextensions) as our OpenAPI-v3-subset walker reads them, so the published
// package imports no model package at run time.
//
// Two sources, both of which install on every Node that engines names:
// - Gateway API kinds: the openAPIV3Schema of the upstream CRDs vendored in
//   ./crds (vendor-gateway-crds.ts), converted to the walker's subset.
// - Core kinds: kubernetes-models 4.5 (Node >= 14), which ships its schemas
//   only as compiled ajv validators, so the value constraints are read back by
//   asking those validators: the property tree comes from the type
//   declarations (generate-shapes.ts); at each field a few probe values are
//   validated and the errors reported at exactly that field give its type,
//   enum, pattern, bounds, format, required and nullable.
//
//   npx tsx test/cluster/pure/tools/generate-schemas.ts     write the file
//   generateSchemasSource()                                  the text (drift test)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import YAML from 'yaml';
import { generateShapes } from './generate-shapes.js';
import { crdFileName, crdsDirectory, GATEWAY_API_TAG } from './vendor-gateway-crds.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const schemasOutputPath = path.join(repo, 'source/cluster/embedded/validation/schemas.generated.ts');

/** apiVersion kind → the vendored Gateway API CRD (by plural) whose openAPIV3Schema is the kind's schema. */
export const gatewayApiKinds: Record<string, string> = {
  'gateway.networking.k8s.io/v1 GatewayClass': 'gatewayclasses',
  'gateway.networking.k8s.io/v1 Gateway': 'gateways',
  'gateway.networking.k8s.io/v1 HTTPRoute': 'httproutes',
  'gateway.networking.k8s.io/v1 GRPCRoute': 'grpcroutes',
  'gateway.networking.k8s.io/v1 TLSRoute': 'tlsroutes',
  'gateway.networking.k8s.io/v1 ReferenceGrant': 'referencegrants',
  'gateway.networking.k8s.io/v1 BackendTLSPolicy': 'backendtlspolicies',
  'gateway.networking.k8s.io/v1beta1 GatewayClass': 'gatewayclasses',
  'gateway.networking.k8s.io/v1beta1 Gateway': 'gateways',
  'gateway.networking.k8s.io/v1beta1 HTTPRoute': 'httproutes',
  'gateway.networking.k8s.io/v1beta1 ReferenceGrant': 'referencegrants',
  'gateway.networking.k8s.io/v1alpha2 TLSRoute': 'tlsroutes',
  'gateway.networking.k8s.io/v1alpha3 BackendTLSPolicy': 'backendtlspolicies',
};

/** apiVersion kind → the compiled validator of the kind (kubernetes-models/_schemas/<name>.mjs). */
export const validatorModules: Record<string, string> = {
  'v1 Namespace': 'IoK8sApiCoreV1Namespace',
  'v1 Secret': 'IoK8sApiCoreV1Secret',
  'v1 ConfigMap': 'IoK8sApiCoreV1ConfigMap',
  'v1 Service': 'IoK8sApiCoreV1Service',
  'v1 Pod': 'IoK8sApiCoreV1Pod',
  'v1 ServiceAccount': 'IoK8sApiCoreV1ServiceAccount',
  'v1 Event': 'IoK8sApiCoreV1Event',
  'discovery.k8s.io/v1 EndpointSlice': 'IoK8sApiDiscoveryV1EndpointSlice',
  'apps/v1 Deployment': 'IoK8sApiAppsV1Deployment',
  'apiextensions.k8s.io/v1 CustomResourceDefinition': 'IoK8sApiextensionsApiserverPkgApisApiextensionsV1CustomResourceDefinition',
};

export interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}
export type AjvValidate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

/** The compiled validators, by `apiVersion kind` (a development dependency). */
export async function loadValidators(): Promise<Record<string, AjvValidate>> {
  // kubernetes-models 4 does not export its _schemas; they are files beside its main module.
  const schemas = path.join(path.dirname(createRequire(import.meta.url).resolve('kubernetes-models')), '_schemas');
  const out: Record<string, AjvValidate> = {};
  for (const [key, name] of Object.entries(validatorModules)) {
    out[key] = ((await import(pathToFileURL(path.join(schemas, `${name}.mjs`)).href)) as { validate: AjvValidate }).validate;
  }
  return out;
}

type Json = Record<string, unknown>;
type Segment = string | number;

const pointer = (segments: Segment[]) => segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** An object with `value` placed at `segments` (intermediate lists get one element, maps one key). */
function placed(segments: Segment[], value: unknown): unknown {
  let current = value;
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!;
    current = typeof s === 'number' ? [current] : { [s]: current };
  }
  return current;
}

// Probe values: each provokes the errors a kind of constraint reports.
const LONG = 'a'.repeat(5000);
const STRING_PROBES: unknown[] = ['', '\u0000', ' A_', LONG, '-1'];
const NUMBER_PROBES: unknown[] = [1e300, -1e300, 2 ** 40, -(2 ** 40), 0];
const MANY_ITEMS = 5000;

function errorsAt(validate: AjvValidate, segments: Segment[], value: unknown): AjvError[] {
  const at = pointer(segments);
  validate(placed(segments, value));
  return (validate.errors ?? []).filter((e) => e.instancePath === at);
}

/** What the validator says about the field at `segments`: its constraints as schema keywords. */
function probeField(validate: AjvValidate, segments: Segment[], container: boolean): Json {
  const out: Json = {};
  const types = new Set<string>();
  const patterns: string[] = [];
  const record = (errors: AjvError[]) => {
    for (const e of errors) {
      const p = e.params;
      switch (e.keyword) {
        case 'type': types.add(String(p.type)); break;
        case 'enum': out.enum = p.allowedValues; break;
        case 'pattern': if (!patterns.includes(String(p.pattern))) patterns.push(String(p.pattern)); break;
        case 'format': out.format = p.format; break;
        case 'minLength': case 'maxLength': case 'minItems': case 'maxItems': case 'minProperties': case 'maxProperties':
        case 'minimum': case 'maximum':
          out[e.keyword] = p.limit; break;
        default: break;
      }
    }
  };
  const wrongType = errorsAt(validate, segments, true);
  for (const e of wrongType) if (e.keyword === 'type') types.add(String(e.params.type));
  if (types.size === 0) {
    // boolean or anything: a string tells them apart.
    for (const e of errorsAt(validate, segments, 'x')) if (e.keyword === 'type') types.add(String(e.params.type));
  }
  if (!container) {
    if (types.has('string')) for (const probe of STRING_PROBES) record(errorsAt(validate, segments, probe));
    if (types.has('integer') || types.has('number')) for (const probe of NUMBER_PROBES) record(errorsAt(validate, segments, probe));
  }
  if (types.has('array')) {
    record(errorsAt(validate, segments, []));
    record(errorsAt(validate, segments, Array.from({ length: MANY_ITEMS }, () => null)));
  }
  if (types.has('object')) {
    const many: Json = {};
    for (let i = 0; i < 300; i++) many[`k${i}`] = null;
    record(errorsAt(validate, segments, {}).filter((e) => e.keyword !== 'required'));
    record(errorsAt(validate, segments, many).filter((e) => e.keyword !== 'required'));
  }
  if (types.size === 1) out.type = [...types][0];
  else if (types.size > 1) {
    // oneOf of a string and a number (IntOrString, Quantity), branches in the validator's order;
    // a format belongs to the branch of its type.
    const stringFormat = typeof out.format === 'string' && ['quantity', 'date-time', 'byte'].includes(out.format);
    out.oneOf = [...types].map((type) => ({ type, ...(out.format !== undefined && (type === 'string') === stringFormat ? { format: out.format } : {}) }));
    delete out.format;
  }
  if (patterns.length) {
    out.pattern = patterns[0];
    if (patterns.length > 1) out.allOf = patterns.slice(1).map((pattern) => ({ pattern }));
  }
  if (types.size > 0 && !errorsAt(validate, segments, null).some((e) => e.keyword === 'type')) out.nullable = true;
  return out;
}

function requiredAt(validate: AjvValidate, segments: Segment[]): string[] {
  const names: string[] = [];
  for (const e of errorsAt(validate, segments, {})) {
    if (e.keyword === 'required' && !names.includes(String(e.params.missingProperty))) names.push(String(e.params.missingProperty));
  }
  return names;
}

/** Stable key order so the generated file diffs well. */
function ordered(schema: Json): Json {
  const order = ['$ref', 'type', 'format', 'enum', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'nullable', 'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'oneOf', 'allOf', 'required', 'items', 'additionalProperties', 'properties'];
  const out: Json = {};
  for (const key of order) if (schema[key] !== undefined) out[key] = schema[key];
  for (const key of Object.keys(schema)) if (!(key in out)) out[key] = schema[key];
  return out;
}

// The keywords of a CRD schema the walker checks, and `default`, which the API
// server fills in on every write (gateway-defaults.ts). Left out: descriptions,
// list/map types, CEL rules (x-kubernetes-validations), and the oneOf/anyOf/not
// that kustomize adds to Gateway addresses — the walker checks none of them.
const CRD_KEYWORDS = ['type', 'format', 'enum', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'default'];
// Formats the walker checks; the CRDs' int64, ipv4 and ipv6 it does not.
const CHECKED_FORMATS = ['int32', 'date-time', 'byte', 'quantity'];
export const OBJECT_META = 'apimachinery/apis/meta/v1/ObjectMeta#IObjectMeta';

/** The CRD of a modelled Gateway API kind, as vendored. */
export function vendoredCrd(plural: string): { spec: { versions: { name: string; schema: { openAPIV3Schema: Json } }[] } } {
  return YAML.parse(readFileSync(path.join(crdsDirectory, crdFileName(plural)), 'utf8'));
}

/**
 * The Gateway API kinds' schemas from their CRDs. An object with properties
 * becomes a definition, shared by content (v1 and v1beta1 of a kind are the
 * same schema), named after the version and path where it first appears.
 * A field its parent does not require is nullable, as in the core models:
 * the API server prunes a null it would not accept. At the root, apiVersion
 * and kind are required and fixed, and metadata is ObjectMeta, as
 * kube-apiserver checks them.
 */
export function gatewayApiSchemas(): { roots: Record<string, string>; definitions: Record<string, Json> } {
  const definitions: Record<string, Json> = {};
  const byContent = new Map<string, string>();

  function convert(node: Json, where: string): Json {
    const out: Json = {};
    for (const keyword of CRD_KEYWORDS) {
      if (node[keyword] === undefined) continue;
      if (keyword === 'format' && !CHECKED_FORMATS.includes(String(node.format))) continue;
      out[keyword] = node[keyword];
    }
    const required = Array.isArray(node.required) ? (node.required as string[]) : [];
    if (required.length) out.required = required;
    if (node.items && typeof node.items === 'object') out.items = field(node.items as Json, `${where}[]`, false);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      out.additionalProperties = field(node.additionalProperties as Json, `${where}{}`, false);
    }
    if (node.properties) {
      const properties: Record<string, Json> = {};
      for (const [name, child] of Object.entries(node.properties as Record<string, Json>)) {
        properties[name] = field(child, `${where}.${name}`, !required.includes(name));
      }
      out.properties = properties;
    }
    return ordered(out);
  }

  function field(node: Json, where: string, optional: boolean): Json {
    const schema = convert(node, where);
    const nullable = optional && schema.type !== undefined ? { nullable: true } : {};
    if (!schema.properties) return ordered({ ...schema, ...nullable });
    const text = JSON.stringify(schema);
    let name = byContent.get(text);
    if (!name) {
      name = `gateway-api/${where}`;
      if (definitions[name]) throw new Error(`two schemas at ${where}`);
      byContent.set(text, name);
      definitions[name] = schema;
    }
    return ordered({ $ref: name, ...nullable });
  }

  const roots: Record<string, string> = {};
  for (const [key, plural] of Object.entries(gatewayApiKinds)) {
    const [apiVersion, kind] = key.split(' ') as [string, string];
    const version = apiVersion.split('/')[1];
    const served = vendoredCrd(plural).spec.versions.find((v) => v.name === version);
    if (!served) throw new Error(`${crdFileName(plural)} does not serve ${version}`);
    const root = convert(served.schema.openAPIV3Schema, `${version}/${kind}`);
    const properties = root.properties as Record<string, Json>;
    properties.apiVersion = { type: 'string', enum: [apiVersion] };
    properties.kind = { type: 'string', enum: [kind] };
    properties.metadata = { $ref: OBJECT_META, nullable: true };
    root.required = [...((root.required as string[] | undefined) ?? []), 'apiVersion', 'kind'];
    const name = `gateway-api/${apiVersion}/${kind}`;
    definitions[name] = ordered(root);
    roots[key] = name;
  }
  return { roots, definitions };
}

export async function generateSchemas(): Promise<{ roots: Record<string, string>; definitions: Record<string, Json> }> {
  const shapes = generateShapes();
  const validators = await loadValidators();
  const definitions: Record<string, Json> = {};

  // A field's schema in its parent: the shape's structure plus the probed constraints.
  function field(validate: AjvValidate, shape: Json, segments: Segment[]): Json {
    if (shape['x-kubernetes-preserve-unknown-fields']) {
      // Free-form (JSON, unions of objects): keep everything; the type is what the validator checks, if any.
      const { type: _declared, ...rest } = shape;
      const probed = probeField(validate, segments, true);
      return ordered({ ...rest, ...(probed.type ? { type: probed.type } : {}), ...(probed.nullable ? { nullable: true } : {}) });
    }
    const ref = typeof shape.$ref === 'string' ? shape.$ref : undefined;
    const container = ref !== undefined || shape.type === 'array' || shape.type === 'object';
    const probed = probeField(validate, segments, container);
    const out: Json = { ...probed, ...shape };
    if (ref) {
      // A $ref field keeps its own keywords beside the reference: the walker resolves to the definition,
      // so a nullable field is said on the definition use through allOf.
      delete out.type;
      definition(validate, ref, segments);
    }
    if (shape.type === 'array' && shape.items) out.items = field(validate, shape.items as Json, [...segments, 0]);
    if (shape.type === 'object' && shape.additionalProperties && typeof shape.additionalProperties === 'object') {
      out.additionalProperties = field(validate, shape.additionalProperties as Json, [...segments, 'k']);
    }
    return ordered(out);
  }

  function definition(validate: AjvValidate, name: string, segments: Segment[]): void {
    if (definitions[name]) return;
    const shape = shapes.definitions[name] as Json;
    const out: Json = { type: 'object' };
    definitions[name] = out;
    const required = requiredAt(validate, segments);
    if (required.length) out.required = required;
    const properties: Record<string, Json> = {};
    for (const [prop, child] of Object.entries((shape.properties ?? {}) as Record<string, Json>)) {
      properties[prop] = field(validate, child, [...segments, prop]);
    }
    out.properties = properties;
    definitions[name] = ordered(out);
  }

  for (const [key, root] of Object.entries(shapes.roots)) {
    const validate = validators[key];
    if (!validate) throw new Error(`no validator module for ${key}`);
    definition(validate, root, []);
  }
  const gatewayApi = gatewayApiSchemas();
  if (!definitions[OBJECT_META]) throw new Error(`the core models no longer define ${OBJECT_META}`);
  for (const [name, schema] of Object.entries(gatewayApi.definitions)) {
    if (definitions[name]) throw new Error(`two definitions named ${name}`);
    definitions[name] = schema;
  }
  return { roots: { ...gatewayApi.roots, ...shapes.roots }, definitions };
}

export async function generateSchemasSource(): Promise<string> {
  const { roots, definitions } = await generateSchemas();
  const sorted: Record<string, Json> = {};
  for (const name of Object.keys(definitions).sort()) sorted[name] = definitions[name]!;
  const text = JSON.stringify(sorted);
  return [
    `// Generated by test/cluster/pure/tools/generate-schemas.ts from the Gateway API ${GATEWAY_API_TAG} CRDs`,
    '// in test/cluster/pure/tools/crds and the kubernetes-models validators and type declarations —',
    '// do not edit; regenerate after vendoring other CRDs or upgrading kubernetes-models.',
    '// The definitions are JSON text, parsed on first use: importing this module stays cheap.',
    '',
    `export const schemaRoots: Record<string, string> = ${JSON.stringify(roots, null, 2)};`,
    '',
    '/** Definition name → OpenAPI v3 schema (the subset schema.ts walks), as JSON. */',
    `export const definitionsJson = ${JSON.stringify(text)};`,
    '',
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(schemasOutputPath, await generateSchemasSource());
  console.log(`wrote ${path.relative(repo, schemasOutputPath)}`);
}
