// Gateway listeners: supported protocols and route kinds, conflicts on a port,
// serving certificates, frontend validation; and the SNI precedence order the
// data plane walks (exact hostname, longest wildcard, then no hostname).
import type { Problem } from './conditions.js';
import type { InputObject } from './input-types.js';
import { asArray, asNumber, asRecord, asString, generationOf, nameOf, namespaceOf } from './fields.js';
import { resolveTlsSecretRef } from './certificates.js';
import { frontendValidationResolver } from './frontend-validation.js';
import type { GatewayState, ListenerState, RouteKind } from './gateway-state.js';
import { compareHostnames } from './hostname-rules.js';
import type { SnapshotIndex } from './snapshot-index.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const SUPPORTED_PROTOCOLS = new Set(['HTTP', 'HTTPS', 'TLS']);

/** The route kinds a listener of this protocol can carry (GRPCRoute is not served yet). */
function kindsForProtocol(protocol: string): RouteKind[] {
  if (protocol === 'HTTP' || protocol === 'HTTPS') return [{ group: GATEWAY_GROUP, kind: 'HTTPRoute' }];
  if (protocol === 'TLS') return [{ group: GATEWAY_GROUP, kind: 'TLSRoute' }];
  return [];
}

function transportOf(protocol: string): 'http' | 'tls' {
  return protocol === 'HTTP' ? 'http' : 'tls';
}

function newListener(raw: unknown, position: number): ListenerState {
  const spec = asRecord(raw);
  return {
    name: asString(spec.name) ?? `listener-${position}`,
    port: asNumber(spec.port) ?? 0,
    protocol: asString(spec.protocol) ?? '',
    hostname: asString(spec.hostname) || undefined,
    spec,
    supportedKinds: [],
    certificates: [],
    attachedRoutes: 0,
    routes: [],
    tlsRoutes: [],
  };
}

function checkRouteKinds(listener: ListenerState): void {
  const supported = kindsForProtocol(listener.protocol);
  const requested = asArray(asRecord(listener.spec.allowedRoutes).kinds).map((k) => asRecord(k));
  if (requested.length === 0) {
    listener.supportedKinds = supported;
    return;
  }
  const kept: RouteKind[] = [];
  for (const kind of requested) {
    const group = asString(kind.group) ?? GATEWAY_GROUP;
    const name = asString(kind.kind) ?? '';
    if (supported.some((s) => s.group === group && s.kind === name)) kept.push({ group, kind: name });
    else listener.unresolved ??= { reason: 'InvalidRouteKinds', message: `route kind ${group}/${name} is not supported on a ${listener.protocol} listener` };
  }
  listener.supportedKinds = kept;
}

function checkTls(index: SnapshotIndex, gateway: InputObject, listener: ListenerState): void {
  if (listener.protocol !== 'HTTPS' && listener.protocol !== 'TLS') return;
  const tls = asRecord(listener.spec.tls);
  const mode = asString(tls.mode) ?? 'Terminate';
  if (mode !== 'Terminate' && mode !== 'Passthrough') {
    listener.notAccepted = { reason: 'UnsupportedValue', message: `tls.mode ${mode} is not Terminate or Passthrough` };
    return;
  }
  listener.tlsMode = mode;
  if (listener.protocol === 'HTTPS' && mode === 'Passthrough') {
    listener.notAccepted = { reason: 'UnsupportedValue', message: 'an HTTPS listener terminates TLS; use protocol TLS for Passthrough' };
    return;
  }
  if (mode === 'Passthrough') return;
  const refs = asArray(tls.certificateRefs);
  if (refs.length === 0) {
    listener.unresolved ??= { reason: 'InvalidCertificateRef', message: 'tls.certificateRefs is empty: nothing to serve' };
    return;
  }
  for (const ref of refs) {
    const result = resolveTlsSecretRef(index, gateway, ref);
    if (result.certificate) listener.certificates.push(result.certificate);
    else listener.unresolved ??= result.problem;
  }
}

/** Marks listeners that share a port but disagree on protocol, or repeat a hostname. */
function checkConflicts(listeners: ListenerState[]): void {
  const byPort = new Map<number, ListenerState[]>();
  for (const listener of listeners) {
    if (listener.notAccepted) continue;
    const list = byPort.get(listener.port) ?? [];
    list.push(listener);
    byPort.set(listener.port, list);
  }
  for (const [port, group] of byPort) {
    const transports = new Set(group.map((l) => transportOf(l.protocol)));
    if (transports.size > 1) {
      const protocols = [...new Set(group.map((l) => l.protocol))].join(', ');
      for (const listener of group) {
        listener.conflicted = { reason: 'ProtocolConflict', message: `port ${port} is shared by listeners of incompatible protocols (${protocols})` };
      }
      continue;
    }
    const byHostname = new Map<string, ListenerState[]>();
    for (const listener of group) {
      const key = (listener.hostname ?? '').toLowerCase();
      byHostname.set(key, [...(byHostname.get(key) ?? []), listener]);
    }
    for (const [hostname, same] of byHostname) {
      if (same.length < 2) continue;
      for (const listener of same) {
        listener.conflicted = {
          reason: 'HostnameConflict',
          message: `listeners ${same.map((l) => l.name).join(', ')} all use port ${port} with ${hostname ? 'hostname ' + hostname : 'no hostname'}`,
        };
      }
    }
  }
}

function checkFrontendValidation(resolve: ReturnType<typeof frontendValidationResolver>, listener: ListenerState, state: GatewayState): void {
  if (listener.tlsMode !== 'Terminate' || listener.notAccepted) return;
  const result = resolve(listener.port);
  if (!result) return;
  if (result.unresolved) listener.unresolved ??= result.unresolved;
  if (result.noValidCa) listener.notAccepted = result.noValidCa;
  if (result.validation) {
    listener.frontendValidation = result.validation;
    if (result.validation.mode === 'AllowInsecureFallback') state.insecureFrontendValidation = true;
  }
}

/** Validates a Gateway's listeners and resolves what they reference. */
export function buildGatewayState(index: SnapshotIndex, gateway: InputObject): GatewayState {
  const spec = asRecord(gateway.spec);
  const state: GatewayState = {
    object: gateway,
    namespace: namespaceOf(gateway),
    name: nameOf(gateway),
    generation: generationOf(gateway),
    listeners: asArray(spec.listeners).map(newListener),
    insecureFrontendValidation: false,
  };
  // An address with a type and no value asks for "an address of this type", which the Service gives (GatewayAddressEmpty).
  if (asArray(spec.addresses).some((address) => asString(asRecord(address).value))) {
    state.unsupportedAddresses = { reason: 'UnsupportedAddress', message: 'spec.addresses with a value is not supported: the address comes from the Gateway Service' };
  }
  const parametersRef = asRecord(asRecord(spec.infrastructure).parametersRef);
  if (Object.keys(parametersRef).length > 0) {
    const what = `${asString(parametersRef.group) || 'core'}/${asString(parametersRef.kind) ?? '(no kind)'} ${asString(parametersRef.name) ?? '(no name)'}`;
    state.invalidParameters = {
      reason: 'InvalidParameters',
      message: `spec.infrastructure.parametersRef ${what}: this gateway takes no infrastructure parameters, so the reference cannot be resolved`,
    };
  }
  const frontend = frontendValidationResolver(index, gateway);
  for (const listener of state.listeners) {
    if (!SUPPORTED_PROTOCOLS.has(listener.protocol)) {
      listener.notAccepted = { reason: 'UnsupportedProtocol', message: `protocol ${listener.protocol || '(none)'} is not supported (HTTP, HTTPS, TLS are)` };
      continue;
    }
    if (listener.port < 1 || listener.port > 65535) {
      listener.notAccepted = { reason: 'UnsupportedValue', message: `port ${listener.port} is out of range` };
      continue;
    }
    checkRouteKinds(listener);
    checkTls(index, gateway, listener);
    checkFrontendValidation(frontend, listener, state);
  }
  checkConflicts(state.listeners);
  // Standard since Gateway API v1.5; `spec.backendTLS` is the earlier experimental spelling.
  const clientRef = asRecord(asRecord(spec.tls).backend).clientCertificateRef ?? asRecord(spec.backendTLS).clientCertificateRef;
  if (clientRef !== undefined) {
    const result = resolveTlsSecretRef(index, gateway, clientRef);
    if (result.certificate) state.backendClientCertificate = result.certificate;
    else state.backendClientCertificateProblem = toClientCertificateProblem(result.problem);
  }
  return state;
}

function toClientCertificateProblem(problem: Problem | undefined): Problem {
  const message = problem?.message ?? 'invalid clientCertificateRef';
  return { reason: problem?.reason === 'RefNotPermitted' ? 'RefNotPermitted' : 'InvalidClientCertificateRef', message: `spec.tls.backend.clientCertificateRef: ${message}` };
}

/** Listeners of one port in SNI precedence order: exact hostname, longest wildcard, none; ties by listener order. */
export function sortBySniPrecedence<T extends { hostname?: string }>(listeners: T[]): T[] {
  return listeners
    .map((listener, position) => ({ listener, position }))
    .sort((a, b) => compareHostnames(a.listener.hostname, b.listener.hostname) || a.position - b.position)
    .map((entry) => entry.listener);
}

export { transportOf };
