// The CEL rules (x-kubernetes-validations) of the Gateway API CRDs that a
// learner can trip over, checked by hand: kube-apiserver words a failed rule
// as `<path>: Invalid value: "<type>": <message>`.
import type { StatusCause } from '../apiserver/api-error.js';
import type { KubeObject } from '../store/store-types.js';
import { FieldPath, str } from './causes.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const present = (v: unknown) => v !== undefined && v !== null && v !== '';

function rule(path: FieldPath, type: 'array' | 'object', message: string): StatusCause {
  return { reason: 'FieldValueInvalid', field: String(path), message: `Invalid value: "${type}": ${message}` };
}

export function checkGateway(gateway: KubeObject): StatusCause[] {
  const spec = isObj(gateway.spec) ? gateway.spec : {};
  const listeners = list(spec.listeners).filter(isObj);
  const path = FieldPath.root('spec').child('listeners');
  const causes: StatusCause[] = [];
  if (listeners.some((l) => ['HTTP', 'TCP', 'UDP'].includes(str(l.protocol)) && l.tls !== undefined)) {
    causes.push(rule(path, 'array', "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"));
  }
  if (listeners.some((l) => l.protocol === 'HTTPS' && isObj(l.tls) && present(l.tls.mode) && l.tls.mode !== 'Terminate')) {
    causes.push(rule(path, 'array', 'tls mode must be Terminate for protocol HTTPS'));
  }
  if (listeners.some((l) => ['TCP', 'UDP'].includes(str(l.protocol)) && present(l.hostname))) {
    causes.push(rule(path, 'array', "hostname must not be specified for protocols ['TCP', 'UDP']"));
  }
  const names = listeners.map((l) => l.name);
  if (names.some((n, i) => names.indexOf(n) !== i)) causes.push(rule(path, 'array', 'Listener name must be unique within the Gateway'));
  const combos = listeners.map((l) => `${str(l.port)}|${str(l.protocol)}|${present(l.hostname) ? str(l.hostname) : ''}`);
  if (combos.some((c, i) => combos.indexOf(c) !== i)) causes.push(rule(path, 'array', 'Combination of port, protocol and hostname must be unique for each listener'));
  list(spec.listeners).forEach((l, i) => {
    if (!isObj(l) || !isObj(l.tls)) return;
    const mode = present(l.tls.mode) ? l.tls.mode : 'Terminate';
    const refs = list(l.tls.certificateRefs).length;
    const options = isObj(l.tls.options) ? Object.keys(l.tls.options).length : 0;
    if (mode === 'Terminate' && refs === 0 && options === 0) {
      causes.push(rule(path.index(i).child('tls'), 'object', 'certificateRefs or options must be specified when mode is Terminate'));
    }
  });
  return causes;
}

export function checkHttpRoute(route: KubeObject): StatusCause[] {
  const spec = isObj(route.spec) ? route.spec : {};
  const causes: StatusCause[] = [];
  list(spec.rules).forEach((r, i) => {
    if (!isObj(r)) return;
    list(r.matches).forEach((m, j) => {
      if (!isObj(m) || !isObj(m.path)) return;
      const type = present(m.path.type) ? m.path.type : 'PathPrefix';
      const value = typeof m.path.value === 'string' ? m.path.value : '/';
      if (type !== 'Exact' && type !== 'PathPrefix') return;
      const at = FieldPath.root('spec').child('rules').index(i).child('matches').index(j).child('path');
      if (!value.startsWith('/')) causes.push(rule(at, 'object', "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"));
      if (value.includes('//')) causes.push(rule(at, 'object', "must not contain '//' when type one of ['Exact', 'PathPrefix']"));
    });
  });
  return causes;
}

export function checkBackendTlsPolicy(policy: KubeObject): StatusCause[] {
  const spec = isObj(policy.spec) ? policy.spec : {};
  if (!isObj(spec.validation)) return [];
  const refs = list(spec.validation.caCertificateRefs).length > 0;
  const wellKnown = present(spec.validation.wellKnownCACertificates);
  const at = FieldPath.root('spec').child('validation');
  if (refs && wellKnown) return [rule(at, 'object', 'must not contain both CACertificateRefs and WellKnownCACertificates')];
  if (!refs && !wellKnown) return [rule(at, 'object', 'must specify either CACertificateRefs or WellKnownCACertificates')];
  return [];
}
