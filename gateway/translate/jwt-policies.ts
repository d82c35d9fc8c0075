// JWT authentication policies → JwtPolicyIR. Two shapes: agentgateway's
// AgentgatewayPolicy (`spec.traffic.jwtAuthentication`) and Gloo's
// GlooTrafficPolicy (`spec.glooJWT.{before,after}ExtAuth.providers`). Keys may be
// an inline JWKS or a PEM public key; a PEM key becomes a JWK whose `kid` is its
// RFC 7638 SHA-256 thumbprint, as Solo's enterprise build does. A policy whose
// keys cannot be read fails closed (no provider → every request is rejected).
import { createHash, createPublicKey } from 'node:crypto';
import type { JwtPolicyIR, JwtProviderIR } from '../ir/types.js';
import type { ObjectStatusUpdate } from '../ir/status-types.js';
import { condition, type Problem } from './conditions.js';
import type { InputObject } from './input-types.js';
import { asArray, asRecord, asString, compareAge, generationOf, keyOf, nameOf, namespaceOf, describe } from './fields.js';

const THUMBPRINT_MEMBERS: Record<string, string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/** RFC 7638 JWK thumbprint (SHA-256, base64url) over the key type's required members in lexicographic order. */
export function jwkThumbprint(jwk: Record<string, unknown>): string {
  const members = typeof jwk.kty === 'string' ? THUMBPRINT_MEMBERS[jwk.kty] : undefined;
  if (!members) throw new Error(`no RFC 7638 members for key type ${describe(jwk.kty)}`);
  const canonical = '{' + members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',') + '}';
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A PEM public key → a public JWK with `kid` = its thumbprint. */
export function pemToJwk(pem: string): Record<string, unknown> {
  const jwk = createPublicKey(pem).export({ format: 'jwk' }) as Record<string, unknown>;
  return { ...jwk, use: 'sig', kid: jwkThumbprint(jwk) };
}

/** Inline key material: a PEM public key, a JWKS, or a single JWK (JSON). */
export function parseKeyMaterial(text: string): { keys: Record<string, unknown>[] } {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    try {
      return { keys: [pemToJwk(trimmed)] };
    } catch {
      throw new Error('the PEM block is not a public key'); // OpenSSL's own wording differs between Node versions
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new Error('not valid JSON');
  }
  const record = asRecord(parsed);
  const keys = Array.isArray(record.keys) ? record.keys : record.kty ? [record] : [];
  if (keys.length === 0) throw new Error('no keys found');
  return { keys: keys.map((k) => asRecord(k)) };
}

interface PolicyTarget {
  kind: 'Gateway' | 'HTTPRoute';
  namespace: string;
  name: string;
  sectionName?: string;
}

interface JwtPolicyState {
  object: InputObject;
  kindName: string;
  targets: PolicyTarget[];
  jwt: JwtPolicyIR;
  problem?: Problem;
  ancestors: Set<string>;
}

function providersFromAgentgateway(spec: Record<string, any>): { providers: JwtProviderIR[]; mode: JwtPolicyIR['mode'] } | undefined {
  const auth = asRecord(asRecord(spec.traffic).jwtAuthentication);
  if (!spec.traffic?.jwtAuthentication) return undefined;
  const mode = auth.mode === 'Optional' || auth.mode === 'Permissive' ? 'Optional' : 'Strict';
  const providers = asArray(auth.providers).map((raw, position) => {
    const provider = asRecord(raw);
    const inline = asString(asRecord(provider.jwks).inline);
    if (!inline) throw new Error(`providers[${position}].jwks.inline is required (remote JWKS is not supported)`);
    return providerIR(asString(provider.issuer) ?? `provider-${position}`, provider, inline, `providers[${position}]`);
  });
  return { providers, mode };
}

function providersFromGloo(spec: Record<string, any>): { providers: JwtProviderIR[]; mode: JwtPolicyIR['mode'] } | undefined {
  const gloo = asRecord(spec.glooJWT);
  const stage = asRecord(gloo.beforeExtAuth ?? gloo.afterExtAuth);
  if (!spec.glooJWT) return undefined;
  const mode = stage.validationPolicy === 'ALLOW_MISSING' || stage.validationPolicy === 'ALLOW_MISSING_OR_FAILED' ? 'Optional' : 'Strict';
  const providers = Object.entries(asRecord(stage.providers)).map(([name, raw]) => {
    const provider = asRecord(raw);
    const key = asString(asRecord(asRecord(provider.jwks).local).key);
    if (!key) throw new Error(`providers.${name}.jwks.local.key is required (remote JWKS is not supported)`);
    return providerIR(name, provider, key, `providers.${name}`);
  });
  return { providers, mode };
}

function providerIR(name: string, provider: Record<string, any>, keyText: string, field: string): JwtProviderIR {
  let jwks: { keys: Record<string, unknown>[] };
  try {
    jwks = parseKeyMaterial(keyText);
  } catch (error) {
    throw new Error(`${field}: keys are neither a PEM public key nor a JWKS (${(error as Error).message})`);
  }
  const ir: JwtProviderIR = { name, jwks };
  if (asString(provider.issuer)) ir.issuer = provider.issuer;
  const audiences = asArray(provider.audiences).filter((a): a is string => typeof a === 'string');
  if (audiences.length > 0) ir.audiences = audiences;
  return ir;
}

function targetsOf(policy: InputObject): PolicyTarget[] {
  return asArray(asRecord(policy.spec).targetRefs).flatMap((raw) => {
    const ref = asRecord(raw);
    const kind = asString(ref.kind);
    if ((asString(ref.group) ?? 'gateway.networking.k8s.io') !== 'gateway.networking.k8s.io') return [];
    if (kind !== 'Gateway' && kind !== 'HTTPRoute') return [];
    return [{ kind, namespace: namespaceOf(policy), name: asString(ref.name) ?? '', sectionName: asString(ref.sectionName) }];
  });
}

/** JWT policies by what they target, with precedence route > listener > Gateway (oldest policy first at each level). */
export class JwtPolicies {
  private readonly states: JwtPolicyState[] = [];

  constructor(agentgatewayPolicies: InputObject[], glooTrafficPolicies: InputObject[]) {
    const all = [
      ...agentgatewayPolicies.map((o) => ({ o, kindName: 'AgentgatewayPolicy', read: providersFromAgentgateway })),
      ...glooTrafficPolicies.map((o) => ({ o, kindName: 'GlooTrafficPolicy', read: providersFromGloo })),
    ].sort((a, b) => compareAge(a.o, b.o));
    for (const { o, kindName, read } of all) {
      const source = `${kindName} ${keyOf(o)}`;
      let state: JwtPolicyState;
      try {
        const parsed = read(asRecord(o.spec));
        if (!parsed) continue; // a policy without JWT settings is not ours to judge here
        state = { object: o, kindName, targets: targetsOf(o), jwt: { source, providers: parsed.providers, mode: parsed.mode }, ancestors: new Set() };
      } catch (error) {
        state = {
          object: o,
          kindName,
          targets: targetsOf(o),
          jwt: { source, providers: [], mode: 'Strict' },
          problem: { reason: 'Invalid', message: (error as Error).message },
          ancestors: new Set(),
        };
      }
      this.states.push(state);
    }
  }

  /** The JWT policy for a route entry on a listener of a Gateway. */
  forRoute(gateway: { namespace: string; name: string }, listenerName: string, route: { namespace: string; name: string }): JwtPolicyIR | undefined {
    const levels: ((t: PolicyTarget) => boolean)[] = [
      (t) => t.kind === 'HTTPRoute' && t.namespace === route.namespace && t.name === route.name,
      (t) => t.kind === 'Gateway' && t.namespace === gateway.namespace && t.name === gateway.name && t.sectionName === listenerName,
      (t) => t.kind === 'Gateway' && t.namespace === gateway.namespace && t.name === gateway.name && !t.sectionName,
    ];
    for (const matches of levels) {
      const state = this.states.find((s) => s.targets.some(matches));
      if (state) {
        state.ancestors.add(`${gateway.namespace}/${gateway.name}`);
        return state.jwt;
      }
    }
    return undefined;
  }

  statuses(controllerName: string, now: string): ObjectStatusUpdate[] {
    return this.states
      .filter((s) => s.ancestors.size > 0)
      .map((state) => {
        const generation = generationOf(state.object);
        const conditions = [
          state.problem
            ? condition('Accepted', false, state.problem.reason, `JWT policy rejects every request until fixed: ${state.problem.message}`, generation, now)
            : condition('Accepted', true, 'Accepted', 'JWT policy is applied', generation, now),
        ];
        const ancestors = [...state.ancestors].sort().map((key) => {
          const [namespace, name] = key.split('/');
          return { ancestorRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace, name }, controllerName, conditions };
        });
        const group = (asString(state.object.apiVersion) ?? '').split('/')[0] ?? '';
        return { target: { group, kind: state.kindName, namespace: namespaceOf(state.object), name: nameOf(state.object) }, status: { ancestors } };
      });
  }
}
