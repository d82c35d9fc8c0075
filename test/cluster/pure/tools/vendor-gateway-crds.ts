// Copies the Gateway API CRDs of the kinds we model into ./crds, from a clone
// of kubernetes-sigs/gateway-api at a release tag: the source
// generate-schemas.ts reads their openAPIV3Schema from. The `description`s
// of the schema nodes are dropped (two thirds of the bytes, nothing a check
// reads); everything else is upstream's YAML, re-serialised.
//
// The experimental channel: its schemas are the standard channel's plus the
// experimental fields, which the @kubernetes-models/gateway-api package we
// generated from before also declared (it was built from the Go types).
//
//   npx tsx test/cluster/pure/tools/vendor-gateway-crds.ts <gateway-api clone> [tag]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import YAML from 'yaml';

export const crdsDirectory = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crds');
export const GATEWAY_API_TAG = 'v1.5.1';
export const GATEWAY_API_CHANNEL = 'experimental';
/** The plural resource names of the modelled Gateway API kinds. */
export const gatewayApiPlurals = ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes', 'tlsroutes', 'referencegrants', 'backendtlspolicies'];

export const crdFileName = (plural: string) => `gateway.networking.k8s.io_${plural}.yaml`;

type Node = Record<string, unknown>;

/** Drops `description` from every schema node (not from `properties`, where it may be a field's name). */
function withoutDescriptions(schema: Node): Node {
  const out: Node = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description') continue;
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, Node>).map(([name, child]) => [name, withoutDescriptions(child)]));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && value && typeof value === 'object') {
      out[key] = withoutDescriptions(value as Node);
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key] = (value as Node[]).map(withoutDescriptions);
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function vendoredText(upstream: string, tag: string, plural: string): string {
  const crd = YAML.parse(upstream) as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
  for (const version of crd.spec.versions) version.schema.openAPIV3Schema = withoutDescriptions(version.schema.openAPIV3Schema);
  return [
    `# config/crd/${GATEWAY_API_CHANNEL}/${crdFileName(plural)} of kubernetes-sigs/gateway-api ${tag}`,
    '# Copyright The Kubernetes Authors. Licensed under the Apache License, Version 2.0',
    '# (https://www.apache.org/licenses/LICENSE-2.0). Schema descriptions removed by',
    '# test/cluster/pure/tools/vendor-gateway-crds.ts; otherwise unchanged.',
    YAML.stringify(crd, { lineWidth: 0 }),
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [clone, tag = GATEWAY_API_TAG] = process.argv.slice(2);
  if (!clone) throw new Error('usage: vendor-gateway-crds.ts <gateway-api clone> [tag]');
  mkdirSync(crdsDirectory, { recursive: true });
  for (const plural of gatewayApiPlurals) {
    const upstream = execFileSync('git', ['-C', clone, 'show', `${tag}:config/crd/${GATEWAY_API_CHANNEL}/${crdFileName(plural)}`], { encoding: 'utf8', maxBuffer: 1 << 26 });
    writeFileSync(path.join(crdsDirectory, crdFileName(plural)), vendoredText(upstream, tag, plural));
  }
  console.log(`wrote ${gatewayApiPlurals.length} CRDs of Gateway API ${tag} to ${path.relative(process.cwd(), crdsDirectory)}`);
}
