// Gateway status: Accepted and Programmed, per-listener conditions and
// attachedRoutes, and addresses from the Gateway's LoadBalancer Service.
import type { Condition, ObjectStatusUpdate } from '../ir/status-types.js';
import { condition } from './conditions.js';
import type { InputObject, TranslateOptions } from './input-types.js';
import { asArray, asNumber, asRecord, asString, labelsOf, namespaceOf } from './fields.js';
import { isListenerProgrammed, type GatewayState, type ListenerState } from './gateway-state.js';
import type { SnapshotIndex } from './snapshot-index.js';
import { recordedPortMap } from '../../source/cluster/port-map-annotation.js';

export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** The Gateway's Service: named like the Gateway and labelled with its name (what the controller creates). */
export function gatewayService(index: SnapshotIndex, gateway: GatewayState): InputObject | undefined {
  const named = index.services.get(`${gateway.namespace}/${gateway.name}`);
  if (named && labelsOf(named)[GATEWAY_NAME_LABEL] === gateway.name) return named;
  return index.input.services.find((s) => namespaceOf(s) === gateway.namespace && labelsOf(s)[GATEWAY_NAME_LABEL] === gateway.name);
}

export function gatewayAddresses(index: SnapshotIndex, gateway: GatewayState): { type: string; value: string }[] {
  const service = gatewayService(index, gateway);
  return asArray(asRecord(asRecord(service?.status).loadBalancer).ingress).flatMap((raw) => {
    const ingress = asRecord(raw);
    if (asString(ingress.ip)) return [{ type: 'IPAddress', value: ingress.ip as string }];
    if (asString(ingress.hostname)) return [{ type: 'Hostname', value: ingress.hostname as string }];
    return [];
  });
}

/** Ports the Gateway's proxy pods serve elsewhere (they could not bind them), from the pods' annotation. */
function proxyPortMap(index: SnapshotIndex, gateway: GatewayState): Map<number, number> {
  const map = new Map<number, number>();
  for (const pod of index.input.pods ?? []) {
    if (namespaceOf(pod) !== gateway.namespace || labelsOf(pod)[GATEWAY_NAME_LABEL] !== gateway.name) continue;
    for (const [from, to] of recordedPortMap(pod as { metadata?: { annotations?: Record<string, string> } })) map.set(from, to);
  }
  return map;
}

function listenerConditions(listener: ListenerState, generation: number, now: string, portMap: Map<number, number>): Condition[] {
  const programmed = isListenerProgrammed(listener);
  const notAccepted = listener.notAccepted ?? listener.conflicted;
  let notProgrammedWhy = notAccepted?.message ?? listener.unresolved?.message ?? 'not programmed';
  if (!notAccepted && listener.certificates.length === 0) notProgrammedWhy = `no usable certificate: ${listener.unresolved?.message ?? 'none configured'}`;
  return [
    notAccepted
      ? condition('Accepted', false, notAccepted.reason, notAccepted.message, generation, now)
      : condition('Accepted', true, 'Accepted', 'listener is valid', generation, now),
    listener.conflicted
      ? condition('Conflicted', true, listener.conflicted.reason, listener.conflicted.message, generation, now)
      : condition('Conflicted', false, 'NoConflicts', 'no conflicts', generation, now),
    listener.unresolved
      ? condition('ResolvedRefs', false, listener.unresolved.reason, listener.unresolved.message, generation, now)
      : condition('ResolvedRefs', true, 'ResolvedRefs', 'all references resolved', generation, now),
    programmed
      ? condition('Programmed', true, 'Programmed', programmedMessage(listener, portMap), generation, now)
      : condition('Programmed', false, 'Invalid', notProgrammedWhy, generation, now),
  ];
}

function programmedMessage(listener: ListenerState, portMap: Map<number, number>): string {
  const mapped = portMap.get(listener.port);
  if (mapped === undefined) return 'listener is programmed';
  return `listener is programmed; the proxy pod serves port ${listener.port} on port ${mapped} (binding below 1024 needs root)`;
}

/** Whether the proxy Deployment of this Gateway has a ready replica; undefined when readiness is not judged. */
function proxyReady(index: SnapshotIndex, gateway: GatewayState): boolean | undefined {
  if (!index.deployments) return undefined;
  const deployment = index.deployments.get(`${gateway.namespace}/${gateway.name}`);
  return (asNumber(asRecord(deployment?.status).readyReplicas) ?? 0) > 0;
}

export function gatewayStatus(index: SnapshotIndex, gateway: GatewayState, options: TranslateOptions): ObjectStatusUpdate {
  const { now } = options;
  const generation = gateway.generation;
  const listeners = gateway.listeners;
  const invalid = listeners.filter((l) => l.notAccepted || l.conflicted);
  const programmedListeners = listeners.filter(isListenerProgrammed);
  const addresses = gatewayAddresses(index, gateway);
  const portMap = proxyPortMap(index, gateway);
  const conditions: Condition[] = [];
  const notAccepted = gateway.unsupportedAddresses ?? gateway.invalidParameters;
  if (notAccepted) {
    conditions.push(condition('Accepted', false, notAccepted.reason, notAccepted.message, generation, now));
  } else if (listeners.length > 0 && invalid.length === listeners.length) {
    conditions.push(condition('Accepted', false, 'ListenersNotValid', 'no listener is valid', generation, now));
  } else if (invalid.length > 0) {
    conditions.push(condition('Accepted', true, 'ListenersNotValid', `invalid listeners: ${invalid.map((l) => l.name).join(', ')}`, generation, now));
  } else {
    conditions.push(condition('Accepted', true, 'Accepted', 'Gateway is accepted', generation, now));
  }
  const ready = proxyReady(index, gateway);
  if (notAccepted || programmedListeners.length === 0) {
    conditions.push(condition('Programmed', false, 'Invalid', 'no listener can be programmed', generation, now));
  } else if (ready === false) {
    conditions.push(condition('Programmed', false, 'Pending', `waiting for the proxy Deployment ${gateway.namespace}/${gateway.name} to have a ready pod`, generation, now));
  } else if (ready === true && addresses.length === 0) {
    conditions.push(condition('Programmed', false, 'AddressNotAssigned', `the Service ${gateway.namespace}/${gateway.name} has no load balancer address yet`, generation, now));
  } else {
    conditions.push(condition('Programmed', true, 'Programmed', 'Gateway is programmed', generation, now));
  }
  if (gateway.backendClientCertificateProblem) {
    const p = gateway.backendClientCertificateProblem;
    conditions.push(condition('ResolvedRefs', false, p.reason, p.message, generation, now));
  } else if (gateway.backendClientCertificate) {
    // Conformance GatewayBackendClientCertificate waits for ResolvedRefs=True as well as Accepted and Programmed.
    conditions.push(condition('ResolvedRefs', true, 'ResolvedRefs', 'spec.tls.backend.clientCertificateRef resolved', generation, now));
  }
  if (gateway.insecureFrontendValidation) {
    conditions.push(
      condition('InsecureFrontendValidationMode', true, 'ConfigurationChanged', 'client certificate validation uses AllowInsecureFallback: clients without a valid certificate are let through', generation, now),
    );
  }
  return {
    target: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: gateway.namespace, name: gateway.name },
    status: {
      addresses,
      conditions,
      listeners: listeners.map((listener) => ({
        name: listener.name,
        supportedKinds: listener.supportedKinds,
        attachedRoutes: listener.attachedRoutes,
        conditions: listenerConditions(listener, generation, now, portMap),
      })),
    },
  };
}
