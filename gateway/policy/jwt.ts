// JWT authentication per JwtPolicyIR, verified with jose. A token names its
// key with `kid`; a token without one is accepted when exactly one of the
// providers' keys verifies it (Envoy tries the keys too; agentgateway rejects
// it, which is why the JWT lab's kid-less token "currently fails" there), and
// the access log says so.
//
// Accepted on purpose, as jose and Envoy accept them: a token without `exp`
// (RFC 7519 makes it optional; the provider's issuer and audience still
// apply), an `iat` in the future (only `nbf` and `exp` bound validity), and
// PS256/PS384/PS512 with an RSA key. Never done: `jku`, `x5u` and `jwk` in
// the token header are ignored (keys come only from the policy's JWKS; nothing
// is fetched because a token says so), and `alg: none` is refused.
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { JwtPolicyIR, JwtProviderIR } from '../ir/types.js';

export type JwtOutcome =
  | { ok: true; provider?: string; subject?: string; note?: string }
  | { ok: false; error: 'missing_token' | 'invalid_token'; description: string; /** Our own words for the challenge header, never token bytes. */ summary?: string };

type ImportedKey = Awaited<ReturnType<typeof importJWK>>;

const KTY_FOR_ALG: [RegExp, string][] = [
  [/^(RS|PS)\d+$/, 'RSA'],
  [/^ES\d+K?$/, 'EC'],
  [/^(EdDSA|Ed25519)$/, 'OKP'],
  [/^HS\d+$/, 'oct'],
];

function ktyFor(alg: string): string | undefined {
  for (const [re, kty] of KTY_FOR_ALG) if (re.test(alg)) return kty;
  return undefined;
}

const CURVE_FOR_ALG: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521', ES256K: 'secp256k1' };

/** Could this JWK have produced a signature with `alg`? */
export function keyFitsAlgorithm(jwk: Record<string, unknown>, alg: string): boolean {
  if (typeof jwk.alg === 'string' && jwk.alg !== alg) return false;
  if (typeof jwk.use === 'string' && jwk.use !== 'sig') return false;
  if (jwk.kty !== ktyFor(alg)) return false;
  const curve = CURVE_FOR_ALG[alg];
  if (curve && jwk.crv !== curve) return false;
  return true;
}

/** Takes the token out of `Authorization: Bearer <token>`. */
export function bearerToken(authorization: string | string[] | undefined): string | undefined {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  if (!value) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return m?.[1];
}

interface Candidate {
  provider: JwtProviderIR;
  jwk: Record<string, unknown>;
}

export class JwtVerifier {
  private readonly keys = new WeakMap<object, Map<string, Promise<ImportedKey>>>();

  private importKey(jwk: Record<string, unknown>, alg: string): Promise<ImportedKey> {
    let perAlg = this.keys.get(jwk);
    if (!perAlg) this.keys.set(jwk, (perAlg = new Map()));
    let key = perAlg.get(alg);
    if (!key) {
      key = importJWK(jwk as JWK, alg);
      perAlg.set(alg, key);
    }
    return key;
  }

  private async verifyWith(token: string, c: Candidate, alg: string): Promise<JWTPayload> {
    const key = await this.importKey(c.jwk, alg);
    const { payload } = await jwtVerify(token, key, {
      algorithms: [alg],
      issuer: c.provider.issuer,
      audience: c.provider.audiences?.length ? c.provider.audiences : undefined,
    });
    return payload;
  }

  async verify(policy: JwtPolicyIR, authorization: string | string[] | undefined): Promise<JwtOutcome> {
    const token = bearerToken(authorization);
    if (!token) {
      if (policy.mode === 'Optional') return { ok: true, note: 'no token (optional)' };
      return { ok: false, error: 'missing_token', description: 'a Bearer token is required' };
    }
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch (error) {
      return { ok: false, error: 'invalid_token', description: `malformed token: ${(error as Error).message}` };
    }
    const alg = header.alg;
    if (!alg || alg === 'none') return { ok: false, error: 'invalid_token', description: 'token has no signature algorithm' };
    const candidates: Candidate[] = [];
    for (const provider of policy.providers) {
      for (const jwk of provider.jwks.keys) {
        if (header.kid !== undefined ? jwk.kid === header.kid && keyFitsAlgorithm(jwk, alg) : keyFitsAlgorithm(jwk, alg)) candidates.push({ provider, jwk });
      }
    }
    if (candidates.length === 0) {
      return {
        ok: false,
        error: 'invalid_token',
        summary: header.kid !== undefined ? "no key with the token's kid" : 'no key for the token\'s algorithm',
        description: header.kid !== undefined ? `no key with kid ${shown(header.kid)} for ${shown(alg).slice(1, -1)}` : `no key can verify an ${shown(alg).slice(1, -1)} token`,
      };
    }
    const outcomes = await Promise.all(
      candidates.map((c) => this.verifyWith(token, c, alg).then((payload) => ({ c, payload }), (error: Error) => ({ c, error }))),
    );
    const good = outcomes.filter((o): o is { c: Candidate; payload: JWTPayload } => 'payload' in o);
    if (header.kid !== undefined) {
      if (good.length) return { ok: true, provider: good[0].c.provider.name, subject: good[0].payload.sub };
    } else if (good.length === 1) {
      const kid = typeof good[0].c.jwk.kid === 'string' ? ` (kid ${good[0].c.jwk.kid})` : '';
      return { ok: true, provider: good[0].c.provider.name, subject: good[0].payload.sub, note: `token without kid accepted: exactly one key${kid} verifies it` };
    } else if (good.length > 1) {
      return { ok: false, error: 'invalid_token', description: `token without kid: ${good.length} keys verify it, cannot tell which` };
    }
    const first = outcomes.find((o): o is { c: Candidate; error: Error } => 'error' in o);
    return { ok: false, error: 'invalid_token', description: first ? first.error.message : 'signature verification failed' };
  }
}

/**
 * RFC 6750 challenge. Nothing from the token goes into this header: a kid
 * with CR/LF made writeHead throw (a reset instead of 401), and an echoed
 * field is a header-injection channel. The details go to the body and the
 * access log, quoted and shortened.
 */
export function wwwAuthenticate(realm: string, outcome: Extract<JwtOutcome, { ok: false }>): string {
  const safe = (s: string) => s.replace(/[^\x20-\x7e]|["\\]/g, '_');
  if (outcome.error === 'missing_token') return `Bearer realm="${safe(realm)}"`;
  return `Bearer realm="${safe(realm)}", error="invalid_token", error_description="${safe(outcome.summary ?? 'the token could not be verified')}"`;
}

/** A token field shown in a body or log line: JSON-quoted (so CR/LF stay escaped) and at most 64 characters. */
function shown(value: unknown): string {
  const text = JSON.stringify(typeof value === 'string' ? value : String(value)) ?? '""';
  return text.length > 66 ? `${text.slice(0, 64)}…"` : text;
}
