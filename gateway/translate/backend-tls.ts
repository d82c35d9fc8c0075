// BackendTLSPolicy (gateway.networking.k8s.io v1, and the deprecated v1alpha3
// the lab texts use) → TLS origination towards a Service. The CA comes from
// ConfigMaps (key ca.crt) or the system store; `hostname` is the SNI and the
// name verified unless subjectAltNames say otherwise. A policy whose CA cannot
// be used makes its backend fail (500), never go out unverified.
import type { UpstreamTlsIR } from '../ir/types.js';
import { condition, type Problem } from './conditions.js';
import type { InputObject } from './input-types.js';
import { asArray, asRecord, asString, compareAge, configMapValue, generationOf, keyOf, nameOf, namespaceOf } from './fields.js';
import { parseCaBundle } from './frontend-validation.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { ObjectStatusUpdate } from '../ir/status-types.js';

export interface BackendTlsPolicyState {
  policy: InputObject;
  /** TLS settings without the Gateway's client certificate (added per Gateway). */
  tls?: UpstreamTlsIR;
  notAccepted?: Problem;
  unresolved?: Problem;
  conflicted?: Problem;
  /** Older policies that hold a target this one also names (GEP-713: the older wins; ties by namespace/name). */
  lostTo: BackendTlsPolicyState[];
  /** Gateways (`ns/name`) whose routes use a backend this policy targets. */
  ancestors: Set<string>;
}

export class BackendTlsPolicies {
  /** By `ns/service` and `ns/service#port-name`. */
  private readonly byTarget = new Map<string, BackendTlsPolicyState>();
  readonly all: BackendTlsPolicyState[] = [];

  constructor(index: SnapshotIndex) {
    const policies = [...index.input.backendTLSPolicies].sort(compareAge);
    for (const policy of policies) {
      const state = resolvePolicy(index, policy);
      this.all.push(state);
      for (const raw of asArray(asRecord(policy.spec).targetRefs)) {
        const ref = asRecord(raw);
        if ((asString(ref.group) ?? '') !== '' || asString(ref.kind) !== 'Service') continue;
        const section = asString(ref.sectionName);
        const key = `${namespaceOf(policy)}/${asString(ref.name) ?? ''}${section ? '#' + section : ''}`;
        const holder = this.byTarget.get(key);
        if (holder) {
          state.conflicted = { reason: 'Conflicted', message: `BackendTLSPolicy ${keyOf(holder.policy)} already targets ${key} and is older (or sorts first by name)` };
          state.lostTo.push(holder);
          continue;
        }
        this.byTarget.set(key, state);
      }
    }
  }

  /** The policy for a Service port: one naming the port's name wins over one naming the whole Service. */
  forService(namespace: string, service: string, portName: string | undefined): BackendTlsPolicyState | undefined {
    return (portName ? this.byTarget.get(`${namespace}/${service}#${portName}`) : undefined) ?? this.byTarget.get(`${namespace}/${service}`);
  }

  statuses(controllerName: string, now: string): ObjectStatusUpdate[] {
    const updates: ObjectStatusUpdate[] = [];
    for (const state of this.all) {
      // A losing policy is reported where its target is used: on the Gateways of the policy that won.
      const ancestorKeys = new Set([...state.ancestors, ...state.lostTo.flatMap((winner) => [...winner.ancestors])]);
      if (ancestorKeys.size === 0) continue;
      const generation = generationOf(state.policy);
      const problem = state.conflicted ?? state.notAccepted;
      const conditions = [
        problem
          ? condition('Accepted', false, problem.reason, problem.message, generation, now)
          : condition('Accepted', true, 'Accepted', 'policy is accepted', generation, now),
        state.unresolved
          ? condition('ResolvedRefs', false, state.unresolved.reason, state.unresolved.message, generation, now)
          : condition('ResolvedRefs', true, 'ResolvedRefs', 'all references resolved', generation, now),
      ];
      const ancestors = [...ancestorKeys].sort().map((key) => {
        const [namespace, name] = key.split('/');
        return { ancestorRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace, name }, controllerName, conditions };
      });
      const apiVersion = asString(state.policy.apiVersion) ?? 'gateway.networking.k8s.io/v1';
      updates.push({
        target: { group: apiVersion.split('/')[0]!, kind: 'BackendTLSPolicy', namespace: namespaceOf(state.policy), name: nameOf(state.policy) },
        status: { ancestors },
      });
    }
    return updates;
  }
}

function resolvePolicy(index: SnapshotIndex, policy: InputObject): BackendTlsPolicyState {
  const state: BackendTlsPolicyState = { policy, ancestors: new Set(), lostTo: [] };
  const validation = asRecord(asRecord(policy.spec).validation);
  const hostname = asString(validation.hostname);
  if (!hostname) {
    state.notAccepted = { reason: 'Invalid', message: 'validation.hostname is required' };
    return state;
  }
  const refs = asArray(validation.caCertificateRefs);
  const wellKnown = asString(validation.wellKnownCACertificates);
  if (refs.length > 0 && wellKnown) {
    state.notAccepted = { reason: 'Invalid', message: 'caCertificateRefs and wellKnownCACertificates are mutually exclusive' };
    return state;
  }
  const subjectAltNames = asArray(validation.subjectAltNames).flatMap((raw): { type: 'Hostname' | 'URI'; value: string }[] => {
    const san = asRecord(raw);
    if (san.type === 'Hostname' && asString(san.hostname)) return [{ type: 'Hostname' as const, value: san.hostname as string }];
    if (san.type === 'URI' && asString(san.uri)) return [{ type: 'URI' as const, value: san.uri as string }];
    return [];
  });
  const base: UpstreamTlsIR = { sni: hostname, sessionCache: 'sni' };
  if (subjectAltNames.length > 0) base.subjectAltNames = subjectAltNames;
  if (wellKnown) {
    if (wellKnown !== 'System') {
      state.notAccepted = { reason: 'Invalid', message: `wellKnownCACertificates ${wellKnown} is not supported (System is)` };
      return state;
    }
    state.tls = { ...base, useSystemCAs: true };
    return state;
  }
  if (refs.length === 0) {
    state.notAccepted = { reason: 'Invalid', message: 'validation needs caCertificateRefs or wellKnownCACertificates' };
    return state;
  }
  const pems: string[] = [];
  for (const raw of refs) {
    const ref = asRecord(raw);
    const kind = asString(ref.kind) ?? 'ConfigMap';
    const source = `${namespaceOf(policy)}/${asString(ref.name) ?? ''}`;
    if ((asString(ref.group) ?? '') !== '' || kind !== 'ConfigMap') {
      state.unresolved ??= { reason: 'InvalidKind', message: `caCertificateRef ${source} is a ${kind}, not a ConfigMap` };
      continue;
    }
    const configMap = index.configMaps.get(source);
    const pem = configMap ? parseCaBundle(configMapValue(configMap, 'ca.crt')) : undefined;
    if (!configMap) state.unresolved ??= { reason: 'InvalidCACertificateRef', message: `ConfigMap ${source} does not exist` };
    else if (!pem) state.unresolved ??= { reason: 'InvalidCACertificateRef', message: `ConfigMap ${source} has no PEM certificate under ca.crt` };
    else pems.push(pem);
  }
  if (state.unresolved) {
    // Any bad CA reference invalidates the policy: validating against fewer CAs than asked is not what the author meant.
    state.notAccepted = { reason: 'NoValidCACertificate', message: state.unresolved.message };
    return state;
  }
  state.tls = { ...base, caPem: pems.join('') };
  return state;
}
