// What kube-apiserver refuses to change on an update (ValidateXUpdate and the
// CRDs' `self == oldSelf` rules): a Deployment's selector, a Service's
// clusterIP, the data of an immutable Secret or ConfigMap, a GatewayClass's
// controllerName.
import type { StatusCause } from '../apiserver/api-error.js';
import type { KubeObject } from '../store/store-types.js';
import { FieldPath, forbidden, invalid } from './causes.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function spec(o: KubeObject): Obj {
  return isObj(o.spec) ? o.spec : {};
}

function immutableData(next: KubeObject, previous: KubeObject, fields: string[]): StatusCause[] {
  if (previous.immutable !== true) return [];
  const causes: StatusCause[] = [];
  for (const field of fields) {
    if (!same(next[field], previous[field])) causes.push(forbidden(FieldPath.root(field), 'field is immutable when `immutable` is set'));
  }
  if (next.immutable !== true) causes.push(forbidden(FieldPath.root('immutable'), 'field is immutable when `immutable` is set'));
  return causes;
}

const rules: Record<string, (next: KubeObject, previous: KubeObject) => StatusCause[]> = {
  'apps Deployment': (next, previous) =>
    same(spec(next).selector, spec(previous).selector) ? [] : [invalid(FieldPath.root('spec').child('selector'), 'v1.LabelSelector{...}', 'field is immutable')],
  ' Service': (next, previous) => {
    const before = spec(previous).clusterIP;
    const after = spec(next).clusterIP;
    if (!before || after === undefined || after === '' || after === before) return [];
    return [invalid(FieldPath.root('spec').child('clusterIP'), after, 'field is immutable')];
  },
  ' Secret': (next, previous) => [
    // The type never changes, immutable or not (ValidateSecretUpdate).
    ...(same(next.type ?? 'Opaque', previous.type ?? 'Opaque') ? [] : [invalid(FieldPath.root('type'), next.type ?? '', 'field is immutable')]),
    ...immutableData(next, previous, ['data']),
  ],
  ' ConfigMap': (next, previous) => immutableData(next, previous, ['data', 'binaryData']),
  'gateway.networking.k8s.io GatewayClass': (next, previous) =>
    same(spec(next).controllerName, spec(previous).controllerName)
      ? []
      : [{ reason: 'FieldValueInvalid', field: 'spec.controllerName', message: `Invalid value: "string": Value is immutable` }],
};

/** Causes for changing `previous` into `next`; empty when the update may proceed. */
export function checkUpdate(group: string, next: KubeObject, previous: KubeObject): StatusCause[] {
  const key = `${group} ${next.kind}`;
  return Object.hasOwn(rules, key) ? rules[key](next, previous) : [];
}

/**
 * Values the server allocated that an update may omit: kube-apiserver's
 * Service REST update (patchAllocatedValues) copies clusterIP(s) and node
 * ports from the stored object when the new one leaves them unset, so a PUT
 * of a manifest as written keeps the Service's address instead of being
 * refused or re-allocated.
 */
export function keepAllocatedValues(group: string, next: KubeObject, previous: KubeObject): void {
  if (group !== '' || next.kind !== 'Service' || !isObj(next.spec)) return;
  const after = next.spec;
  const before = spec(previous);
  if ((after.type ?? 'ClusterIP') === 'ExternalName') return;
  if ((after.clusterIP === undefined || after.clusterIP === '') && typeof before.clusterIP === 'string' && before.clusterIP !== '') {
    after.clusterIP = before.clusterIP;
    if (Array.isArray(before.clusterIPs)) after.clusterIPs = [...before.clusterIPs];
  }
  if (after.healthCheckNodePort === undefined && before.healthCheckNodePort !== undefined) after.healthCheckNodePort = before.healthCheckNodePort;
  const previousPorts = Array.isArray(before.ports) ? before.ports.filter(isObj) : [];
  if (Array.isArray(after.ports)) {
    for (const port of after.ports.filter(isObj)) {
      if (port.nodePort !== undefined) continue;
      const match = previousPorts.find((p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
      if (match?.nodePort !== undefined) port.nodePort = match.nodePort;
    }
  }
}
