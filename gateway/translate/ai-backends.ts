// AI backends: agentgateway's AgentgatewayBackend (`spec.ai.provider.openai`)
// and kgateway's `Backend` with `type: AI` (the JWT lab's shape). A host that
// names a cluster Service resolves to that Service's endpoints; otherwise the
// host is dialled as given, with TLS and the system CAs on port 443.
import type { AiBackendIR, BackendIR, EndpointIR, UpstreamTlsIR } from '../ir/types.js';
import type { Problem } from './conditions.js';
import type { InputObject } from './input-types.js';
import { asNumber, asRecord, asString, keyOf, namespaceOf, secretValue, describe } from './fields.js';
import { findServicePort, parseClusterServiceHost, serviceEndpoints } from './service-endpoints.js';
import type { SnapshotIndex } from './snapshot-index.js';
import { translateDynamicForwardProxy } from './forward-proxy.js';

export const OPENAI_DEFAULT_HOST = 'api.openai.com';
export const OPENAI_DEFAULT_PORT = 443;
export const OPENAI_CHAT_PATH = '/v1/chat/completions';

export interface BackendResult {
  backend: BackendIR;
  /** A reference the backend needs could not be resolved (route ResolvedRefs=False). */
  problem?: Problem;
}

function invalid(id: string, problem: Problem): BackendResult {
  return { backend: { kind: 'invalid', id, reason: problem.message, status: 500 }, problem };
}

/** Where a host:port goes: a cluster Service's endpoints, or the host itself. */
export function resolveUpstreamHost(index: SnapshotIndex, host: string, port: number): { endpoints: EndpointIR[]; inCluster: boolean } | Problem {
  const service = parseClusterServiceHost(index, host);
  if (!service) return { endpoints: [{ address: host, port }], inCluster: false };
  const object = index.services.get(`${service.namespace}/${service.name}`);
  if (!object) return { reason: 'BackendNotFound', message: `host ${host} names Service ${service.namespace}/${service.name}, which does not exist` };
  const servicePort = findServicePort(object, port);
  if (!servicePort) return { reason: 'BackendNotFound', message: `Service ${service.namespace}/${service.name} has no port ${port}` };
  return { endpoints: serviceEndpoints(index, service.namespace, service.name, servicePort), inCluster: true };
}

/** An API key from a Secret: the `Authorization` key holds either the key or `Bearer <key>`. */
function bearerFromSecret(index: SnapshotIndex, namespace: string, name: string): { value?: string; problem?: Problem } {
  const secret = index.secrets.get(`${namespace}/${name}`);
  if (!secret) return { problem: { reason: 'BackendNotFound', message: `auth Secret ${namespace}/${name} does not exist` } };
  const raw = secretValue(secret, 'Authorization');
  if (!raw) return { problem: { reason: 'BackendNotFound', message: `auth Secret ${namespace}/${name} has no Authorization key` } };
  return { value: toBearer(raw) };
}

function toBearer(raw: string): string {
  const value = raw.trim();
  return /^bearer\s/i.test(value) ? value : `Bearer ${value}`;
}

function aiBackend(
  index: SnapshotIndex,
  id: string,
  target: { host: string; port: number; path: string; model?: string },
  auth: AiBackendIR['auth'],
): BackendResult {
  const resolved = resolveUpstreamHost(index, target.host, target.port);
  if ('reason' in resolved) return invalid(id, resolved);
  const backend: AiBackendIR = {
    kind: 'ai',
    id,
    provider: 'openai',
    endpoints: resolved.endpoints,
    host: target.host,
    path: target.path,
    auth,
  };
  if (target.model) backend.model = target.model;
  if (!resolved.inCluster && target.port === 443) {
    const tls: UpstreamTlsIR = { sni: target.host, useSystemCAs: true, alpnProtocols: ['http/1.1'], sessionCache: 'sni' };
    backend.tls = tls;
  }
  return { backend };
}

/** `spec.static: {host, port}`: a plain HTTP backend, a cluster Service name resolved like an AI host. */
function staticBackend(index: SnapshotIndex, id: string, spec: Record<string, any>): BackendResult {
  const host = asString(spec.host);
  const port = asNumber(spec.port);
  if (!host || port === undefined) return invalid(id, { reason: 'BackendNotFound', message: `AgentgatewayBackend ${id}: spec.static needs host and port` });
  const resolved = resolveUpstreamHost(index, host, port);
  if ('reason' in resolved) return invalid(id, resolved);
  return { backend: { kind: 'service', id, endpoints: resolved.endpoints, protocol: 'http1' } };
}

export function translateAgentgatewayBackend(index: SnapshotIndex, object: InputObject): BackendResult {
  const id = `${keyOf(object)}`;
  const spec = asRecord(object.spec);
  const provider = asRecord(asRecord(spec.ai).provider);
  if (spec.static !== undefined) return staticBackend(index, id, asRecord(spec.static));
  if (spec.dynamicForwardProxy !== undefined) {
    const result = translateDynamicForwardProxy(index, object);
    return result.problem ? invalid(id, result.problem) : { backend: result.backend! };
  }
  if (!spec.ai) return invalid(id, { reason: 'InvalidKind', message: `AgentgatewayBackend ${id} has none of spec.ai, spec.static, spec.dynamicForwardProxy` });
  if (!provider.openai) return invalid(id, { reason: 'InvalidKind', message: `AgentgatewayBackend ${id}: only the openai provider is supported` });
  const openai = asRecord(provider.openai);
  const host = asString(provider.host) ?? OPENAI_DEFAULT_HOST;
  const port = asNumber(provider.port) ?? (provider.host ? 80 : OPENAI_DEFAULT_PORT);
  // `path` replaces the whole path; `pathPrefix` replaces the provider's `/v1` in front of /chat/completions.
  const prefix = asString(provider.pathPrefix);
  const path = asString(provider.path) ?? (prefix ? `${prefix.replace(/\/+$/, '')}/chat/completions` : OPENAI_CHAT_PATH);
  const authSpec = asRecord(asRecord(spec.policies).auth);
  let auth: AiBackendIR['auth'] = { type: 'none' };
  if (authSpec.passthrough !== undefined) auth = { type: 'passthrough' };
  else if (asString(authSpec.key)) auth = { type: 'set', header: 'authorization', value: toBearer(authSpec.key) };
  else if (authSpec.secretRef !== undefined) {
    const name = asString(asRecord(authSpec.secretRef).name) ?? '';
    const secret = bearerFromSecret(index, namespaceOf(object), name);
    if (secret.problem) return invalid(id, secret.problem);
    auth = { type: 'set', header: 'authorization', value: secret.value! };
  }
  return aiBackend(index, id, { host, port, path, model: asString(openai.model) || undefined }, auth);
}

export function translateKgatewayBackend(index: SnapshotIndex, object: InputObject): BackendResult {
  const id = keyOf(object);
  const spec = asRecord(object.spec);
  if (spec.type !== 'AI') return invalid(id, { reason: 'InvalidKind', message: `Backend ${id} has type ${describe(spec.type)}; only type AI is supported` });
  const llm = asRecord(asRecord(spec.ai).llm);
  const openai = asRecord(asRecord(llm.provider).openai);
  if (!asRecord(llm.provider).openai) return invalid(id, { reason: 'InvalidKind', message: `Backend ${id}: only the openai provider is supported` });
  const hostOverride = asRecord(llm.hostOverride);
  const host = asString(hostOverride.host) ?? OPENAI_DEFAULT_HOST;
  const port = asNumber(hostOverride.port) ?? OPENAI_DEFAULT_PORT;
  const path = asString(asRecord(llm.pathOverride).fullPath) ?? OPENAI_CHAT_PATH;
  const token = asRecord(openai.authToken);
  let auth: AiBackendIR['auth'] = { type: 'none' };
  if (token.kind === 'Passthrough') auth = { type: 'passthrough' };
  else if (token.kind === 'Inline' && asString(token.inline)) auth = { type: 'set', header: 'authorization', value: toBearer(token.inline) };
  else if (token.kind === 'SecretRef') {
    const secret = bearerFromSecret(index, namespaceOf(object), asString(asRecord(token.secretRef).name) ?? '');
    if (secret.problem) return invalid(id, secret.problem);
    auth = { type: 'set', header: 'authorization', value: secret.value! };
  }
  return aiBackend(index, id, { host, port, path, model: asString(openai.model) || undefined }, auth);
}
