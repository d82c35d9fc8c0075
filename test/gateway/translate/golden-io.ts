// Reads a golden case's objects (`<case>.in.yaml`, several documents) into a
// TranslateInput and renders translation output as reviewable YAML.
// In .in.yaml, `!file certs/foo.crt` inlines a fixture file, and Secrets may use
// `stringData` (turned into base64 `data`, as the API server does).
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML, { type ScalarTag } from 'yaml';
import { emptyTranslateInput, type InputObject, type TranslateInput } from '../../../gateway/translate/index.js';

const KIND_FIELDS: Record<string, keyof TranslateInput> = {
  GatewayClass: 'gatewayClasses',
  Gateway: 'gateways',
  HTTPRoute: 'httpRoutes',
  TLSRoute: 'tlsRoutes',
  GRPCRoute: 'grpcRoutes',
  ReferenceGrant: 'referenceGrants',
  Secret: 'secrets',
  ConfigMap: 'configMaps',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  BackendTLSPolicy: 'backendTLSPolicies',
  AgentgatewayBackend: 'agentgatewayBackends',
  AgentgatewayPolicy: 'agentgatewayPolicies',
  Backend: 'kgatewayBackends',
  GlooTrafficPolicy: 'glooTrafficPolicies',
  Namespace: 'namespaces',
  Deployment: 'deployments',
  Pod: 'pods',
};

function fileTag(dir: string): ScalarTag {
  return {
    tag: '!file',
    resolve: (value: string) => fs.readFileSync(path.join(dir, value), 'utf8'),
  };
}

export function readCaseInput(file: string): TranslateInput {
  const text = fs.readFileSync(file, 'utf8');
  const docs = YAML.parseAllDocuments(text, { customTags: [fileTag(path.dirname(file))] });
  const input = emptyTranslateInput();
  delete input.deployments; // judged only when a case lists Deployments
  docs.forEach((doc, position) => {
    if (doc.errors.length > 0) throw new Error(`${file}: document ${position + 1}: ${doc.errors[0]!.message}`);
    const object = doc.toJS() as InputObject & { stringData?: Record<string, string> };
    if (!object) return;
    const field = KIND_FIELDS[object.kind ?? ''];
    if (!field) throw new Error(`${file}: document ${position + 1}: unknown kind ${object.kind}`);
    object.metadata ??= {};
    object.metadata.generation ??= 1;
    // Documents are created in file order, one second apart, unless a case says otherwise.
    object.metadata.creationTimestamp ??= new Date(Date.UTC(2026, 0, 1, 0, 0, position)).toISOString().replace('.000', '');
    if (object.kind === 'Secret' && object.stringData) {
      object.data = { ...(object.data ?? {}) };
      for (const [key, value] of Object.entries(object.stringData)) object.data[key] = Buffer.from(value).toString('base64');
      delete object.stringData;
    }
    ((input[field] ??= []) as InputObject[]).push(object);
  });
  return input;
}

/** PEM blocks are shown as a short description (subject or key type + digest) so a reviewer can read the IR. */
function describePem(text: string): string {
  return text.replace(/-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----\n?/g, (block, label: string) => {
    const digest = createHash('sha256').update(block.trim()).digest('hex').slice(0, 12);
    if (label === 'CERTIFICATE') {
      try {
        const subject = new X509Certificate(block).subject.replace(/\n/g, ', ');
        return `<certificate ${subject} sha256:${digest}>`;
      } catch {
        return `<unparseable certificate sha256:${digest}>`;
      }
    }
    return `<${label.toLowerCase()} sha256:${digest}>`;
  });
}

function normalize(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('-----BEGIN ') ? describePem(value) : value;
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

export function renderOutput(output: unknown): string {
  return YAML.stringify(normalize(output), { lineWidth: 0, aliasDuplicateObjects: false });
}
