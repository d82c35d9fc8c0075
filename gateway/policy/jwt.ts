// JWT authentication per JwtPolicyIR, verified with jose. A token names its
// key with `kid`; a token without one is accepted when exactly one of the
// providers' keys verifies it (Envoy tries the keys too; agentgateway rejects
// it, which is why the JWT lab's kid-less token "currently fails" there), and
// the access log says so.
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { JwtPolicyIR, JwtProviderIR } from '../ir/types.js';

export type JwtOutcome =
  | { ok: true; provider?: string; subject?: string; note?: string }
  | { ok: false; error: 'missing_token' | 'invalid_token'; description: string };

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
        description: header.kid !== undefined ? `no key with kid "${header.kid}" for ${alg}` : `no key can verify an ${alg} token`,
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

/** RFC 6750 challenge. */
export function wwwAuthenticate(realm: string, outcome: Extract<JwtOutcome, { ok: false }>): string {
  const safe = (s: string) => s.replace(/["\\]/g, "'");
  if (outcome.error === 'missing_token') return `Bearer realm="${safe(realm)}"`;
  return `Bearer realm="${safe(realm)}", error="invalid_token", error_description="${safe(outcome.description)}"`;
}
