// A route's backendRefs → weighted backends. Services resolve through their
// EndpointSlices (with BackendTLSPolicy and the Gateway's client certificate);
// AI kinds go to ai-backends.ts. A reference that cannot be used becomes an
// `invalid` backend answering 500, and a ResolvedRefs problem for the route.
import type { BackendIR, CertificateIR, ServiceBackendIR, WeightedBackendIR } from '../ir/types.js';
import type { Problem } from './conditions.js';
import type { InputObject } from './input-types.js';
import { asArray, asNumber, asRecord, asString, keyOf, namespaceOf } from './fields.js';
import { translateAgentgatewayBackend, translateKgatewayBackend, type BackendResult } from './ai-backends.js';
import type { BackendTlsPolicies } from './backend-tls.js';
import { isReferenceAllowed } from './reference-grants.js';
import { findServicePort, serviceEndpoints } from './service-endpoints.js';
import type { SnapshotIndex } from './snapshot-index.js';

export interface BackendContext {
  index: SnapshotIndex;
  backendTls: BackendTlsPolicies;
  /** The Gateway the backends are for (`ns/name`), and its client certificate towards backends. */
  gatewayKey: string;
  clientCertificate?: CertificateIR;
  /** Why the Gateway's clientCertificateRef could not be used: its TLS backends then fail closed. */
  clientCertificateProblem?: Problem;
}

export interface BackendRefsResult {
  backends: WeightedBackendIR[];
  /** First unresolved reference: the route's ResolvedRefs=False. */
  problem?: Problem;
}

function invalid(id: string, problem: Problem): BackendResult {
  return { backend: { kind: 'invalid', id, reason: problem.message, status: 500 }, problem };
}

function serviceBackend(ctx: BackendContext, namespace: string, name: string, port: number | undefined): BackendResult {
  const id = `${namespace}/${name}:${port ?? ''}`;
  const service = ctx.index.services.get(`${namespace}/${name}`);
  if (!service) return invalid(id, { reason: 'BackendNotFound', message: `Service ${namespace}/${name} does not exist` });
  if (port === undefined) return invalid(id, { reason: 'BackendNotFound', message: `backendRef to Service ${namespace}/${name} needs a port` });
  const servicePort = findServicePort(service, port);
  if (!servicePort) return invalid(id, { reason: 'BackendNotFound', message: `Service ${namespace}/${name} has no port ${port}` });
  const backend: ServiceBackendIR = {
    kind: 'service',
    id,
    endpoints: serviceEndpoints(ctx.index, namespace, name, servicePort),
    protocol: servicePort.appProtocol === 'kubernetes.io/h2c' ? 'h2c' : 'http1',
  };
  const policy = ctx.backendTls.forService(namespace, name, servicePort.name);
  if (policy && !policy.conflicted) {
    policy.ancestors.add(ctx.gatewayKey);
    if (!policy.tls) {
      // Fail closed: a backend whose TLS policy cannot be applied is never reached in plaintext or unverified.
      const reason = policy.notAccepted?.message ?? 'invalid';
      return { backend: { kind: 'invalid', id, reason: `BackendTLSPolicy ${keyOf(policy.policy)}: ${reason}`, status: 500 } };
    }
    if (ctx.clientCertificateProblem) {
      // The Gateway asked to present a certificate it cannot load: going out without it is not what was configured.
      return { backend: { kind: 'invalid', id, reason: `Gateway ${ctx.gatewayKey}: ${ctx.clientCertificateProblem.message}`, status: 500 } };
    }
    backend.tls = { ...policy.tls };
    if (ctx.clientCertificate) backend.tls.clientCertificate = ctx.clientCertificate;
  }
  return { backend };
}

const BACKEND_KINDS: Record<string, (ctx: BackendContext, object: InputObject) => BackendResult> = {
  'agentgateway.dev/AgentgatewayBackend': (ctx, object) => translateAgentgatewayBackend(ctx.index, object),
  'gateway.kgateway.dev/Backend': (ctx, object) => translateKgatewayBackend(ctx.index, object),
};

function lookupVendorBackend(ctx: BackendContext, groupKind: string, key: string): InputObject | undefined {
  return groupKind === 'agentgateway.dev/AgentgatewayBackend' ? ctx.index.agentgatewayBackends.get(key) : ctx.index.kgatewayBackends.get(key);
}

/** Resolves one backendRef of a route of `routeKind` in `routeNamespace`. */
export function resolveBackendRef(ctx: BackendContext, routeKind: string, routeNamespace: string, rawRef: unknown): BackendResult {
  const ref = asRecord(rawRef);
  const group = asString(ref.group) ?? '';
  const kind = asString(ref.kind) ?? 'Service';
  const name = asString(ref.name) ?? '';
  const namespace = asString(ref.namespace) ?? routeNamespace;
  const port = asNumber(ref.port);
  const groupKind = `${group}/${kind}`;
  const id = `${namespace}/${name}`;
  const isService = group === '' && kind === 'Service';
  if (!isService && !BACKEND_KINDS[groupKind]) {
    return invalid(id, { reason: 'InvalidKind', message: `backendRef ${id} is a ${group ? group + '/' : ''}${kind}; supported: Service, agentgateway.dev/AgentgatewayBackend, gateway.kgateway.dev/Backend` });
  }
  const permitted = isReferenceAllowed(
    ctx.index.input.referenceGrants,
    { group: 'gateway.networking.k8s.io', kind: routeKind, namespace: routeNamespace },
    { group, kind, namespace, name },
  );
  if (!permitted) {
    return invalid(id, { reason: 'RefNotPermitted', message: `backendRef to ${kind} ${id} is not permitted by any ReferenceGrant in namespace ${namespace}` });
  }
  if (isService) return serviceBackend(ctx, namespace, name, port);
  const object = lookupVendorBackend(ctx, groupKind, id);
  if (!object) return invalid(id, { reason: 'BackendNotFound', message: `${kind} ${id} does not exist` });
  return BACKEND_KINDS[groupKind]!(ctx, object);
}

/** All backendRefs of one rule. Weight defaults to 1; weight 0 entries stay (never chosen). */
export function resolveBackendRefs(ctx: BackendContext, routeKind: string, route: InputObject, rawRefs: unknown): BackendRefsResult {
  const result: BackendRefsResult = { backends: [] };
  for (const rawRef of asArray(rawRefs)) {
    const resolved = resolveBackendRef(ctx, routeKind, namespaceOf(route), rawRef);
    const weight = asNumber(asRecord(rawRef).weight) ?? 1;
    result.backends.push({ weight, backend: resolved.backend as BackendIR });
    if (resolved.problem) result.problem ??= resolved.problem;
  }
  return result;
}
