// AgentgatewayBackend `spec.dynamicForwardProxy`: the request's Host names the
// upstream. TLS is originated with that name as SNI and verified against the
// system CAs or `spec.policies.tls.caCertificateRefs` (ConfigMaps, key ca.crt,
// like BackendTLSPolicy). `spec.policies.tls.sessionCache` chooses how TLS
// sessions are kept for resumption: perSNI (default), shared (one cache for
// every name: the forward-proxy bug) or disabled (every connection a full
// handshake). Names of cluster Services resolve to their endpoints, as the
// cluster's DNS would (headless Services give pod addresses), so two names
// for one pod really reach one address.
import type { DynamicForwardProxyBackendIR, EndpointIR, UpstreamTlsIR } from '../ir/types.js';
import type { ObjectStatusUpdate } from '../ir/status-types.js';
import { condition, type Problem } from './conditions.js';
import { asArray, asNumber, asRecord, asString, configMapValue, generationOf, keyOf, nameOf, namespaceOf } from './fields.js';
import { parseCaBundle } from './frontend-validation.js';
import type { InputObject, TranslateOptions } from './input-types.js';
import { findServicePort, serviceEndpoints } from './service-endpoints.js';
import type { SnapshotIndex } from './snapshot-index.js';

/** The API's names for the session cache modes, and the IR's. */
export const SESSION_CACHE_MODES = { perSNI: 'sni', shared: 'shared', disabled: 'disabled' } as const;
export type SessionCacheMode = keyof typeof SESSION_CACHE_MODES;

const MODE_MEANING: Record<SessionCacheMode, string> = {
  perSNI: 'perSNI (a session is offered only to the name it was made for)',
  shared: 'shared (one cache for every name: a session made for one name is offered to the others)',
  disabled: 'disabled (no resumption: every connection is a full handshake)',
};

export interface ForwardProxyResult {
  backend?: DynamicForwardProxyBackendIR;
  problem?: Problem;
  mode?: SessionCacheMode;
}

function resolveTls(index: SnapshotIndex, object: InputObject): { tls?: UpstreamTlsIR; mode?: SessionCacheMode; problem?: Problem } {
  const tlsSpec = asRecord(asRecord(asRecord(object.spec).policies).tls);
  const rawMode = tlsSpec.sessionCache ?? 'perSNI';
  if (typeof rawMode !== 'string' || !Object.hasOwn(SESSION_CACHE_MODES, rawMode)) {
    return { problem: { reason: 'InvalidSessionCache', message: `spec.policies.tls.sessionCache ${JSON.stringify(rawMode)} is not one of perSNI, shared, disabled` } };
  }
  const mode = rawMode as SessionCacheMode;
  const tls: UpstreamTlsIR = { sni: '', alpnProtocols: ['http/1.1'], sessionCache: SESSION_CACHE_MODES[mode] };
  const refs = asArray(tlsSpec.caCertificateRefs);
  if (refs.length === 0) return { tls: { ...tls, useSystemCAs: true }, mode };
  const pems: string[] = [];
  for (const raw of refs) {
    const ref = asRecord(raw);
    const kind = asString(ref.kind) ?? 'ConfigMap';
    const source = `${namespaceOf(object)}/${asString(ref.name) ?? ''}`;
    if ((asString(ref.group) ?? '') !== '' || kind !== 'ConfigMap') return { problem: { reason: 'InvalidKind', message: `caCertificateRef ${source} is a ${kind}, not a ConfigMap` } };
    const configMap = index.configMaps.get(source);
    if (!configMap) return { problem: { reason: 'InvalidCACertificateRef', message: `ConfigMap ${source} does not exist` } };
    const pem = parseCaBundle(configMapValue(configMap, 'ca.crt'));
    if (!pem) return { problem: { reason: 'InvalidCACertificateRef', message: `ConfigMap ${source} has no PEM certificate under ca.crt` } };
    pems.push(pem);
  }
  return { tls: { ...tls, caPem: pems.join('') }, mode };
}

/** Every Service's FQDN → its ports → ready endpoints (what the cluster DNS and kube-proxy would lead to). */
function clusterHosts(index: SnapshotIndex): Record<string, Record<string, EndpointIR[]>> {
  const hosts: Record<string, Record<string, EndpointIR[]>> = {};
  for (const key of [...index.services.keys()].sort()) {
    const service = index.services.get(key)!;
    const ports: Record<string, EndpointIR[]> = {};
    for (const raw of asArray(asRecord(service.spec).ports)) {
      const port = asNumber(asRecord(raw).port);
      const servicePort = port === undefined ? undefined : findServicePort(service, port);
      if (servicePort) ports[String(port)] = serviceEndpoints(index, namespaceOf(service), nameOf(service), servicePort);
    }
    hosts[`${nameOf(service)}.${namespaceOf(service)}.svc.cluster.local`] = ports;
  }
  return hosts;
}

export function translateDynamicForwardProxy(index: SnapshotIndex, object: InputObject): ForwardProxyResult {
  const { tls, mode, problem } = resolveTls(index, object);
  if (problem) return { problem };
  return { backend: { kind: 'dynamic-forward-proxy', id: keyOf(object), tls, clusterHosts: clusterHosts(index) }, mode };
}

/** Status of every AgentgatewayBackend with spec.dynamicForwardProxy: accepted or not, and the session cache it uses. */
export function forwardProxyStatuses(index: SnapshotIndex, options: TranslateOptions): ObjectStatusUpdate[] {
  const updates: ObjectStatusUpdate[] = [];
  for (const key of [...index.agentgatewayBackends.keys()].sort()) {
    const object = index.agentgatewayBackends.get(key)!;
    if (asRecord(object.spec).dynamicForwardProxy === undefined) continue;
    const { mode, problem } = resolveTls(index, object);
    const generation = generationOf(object);
    const conditions = problem
      ? [condition('Accepted', false, problem.reason, problem.message, generation, options.now)]
      : [condition('Accepted', true, 'Accepted', `dynamic forward proxy; upstream TLS session cache: ${MODE_MEANING[mode!]}`, generation, options.now)];
    updates.push({
      target: { group: 'agentgateway.dev', kind: 'AgentgatewayBackend', namespace: namespaceOf(object), name: nameOf(object) },
      status: { conditions, ...(mode ? { upstreamTLS: { sessionCache: mode } } : {}) },
    });
  }
  return updates;
}
