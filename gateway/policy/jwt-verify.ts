// JWT authentication per JwtPolicyIR, verified with jose. A token names its
// key with `kid`; a token without one is accepted only when exactly one of the
// providers' keys could have signed it (its type fits the token's alg), and
// the access log says so. agentgateway refuses every kid-less token (which is
// why the JWT lab's token "currently fails" there); Envoy's jwt_authn tries
// every key. Each refusal names the one check that failed.
//
// Accepted on purpose, as jose and Envoy accept them: a token without `exp`
// (RFC 7519 makes it optional; the provider's issuer and audience still
// apply), an `iat` in the future (only `nbf` and `exp` bound validity), and
// PS256/PS384/PS512 with an RSA key. Never done: `jku`, `x5u` and `jwk` in
// the token header are ignored (keys come only from the policy's JWKS; nothing
// is fetched because a token says so), and `alg: none` is refused.
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { JwtPolicyIR, JwtProviderIR } from '../ir/types.js';

export type JwtOutcome =
  | { ok: true; provider?: string; subject?: string; note?: string }
  | {
      ok: false;
      error: 'missing_token' | 'invalid_token';
      /** The failed check with what the token said (quoted, shortened): for the body and the access log. */
      description: string;
      /** The failed check in our own words, with no token bytes: for the WWW-Authenticate header. */
      summary?: string;
    };

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
      return invalid(`malformed token: ${shown((error as Error).message)}`, 'malformed token');
    }
    const alg = header.alg;
    if (!alg) return invalid('malformed token: the header names no alg', 'malformed token: the header names no alg');
    if (alg === 'none') return invalid('alg none: an unsigned token is never accepted', 'alg none: an unsigned token is never accepted');
    const all: Candidate[] = policy.providers.flatMap((provider) => provider.jwks.keys.map((jwk) => ({ provider, jwk })));
    let chosen: Candidate;
    if (header.kid !== undefined) {
      const named = all.filter((c) => c.jwk.kid === header.kid);
      if (named.length === 0) return invalid(`token uses the unknown key ${shown(header.kid)}`, 'token uses an unknown key (kid)');
      const fitting = named.filter((c) => keyFitsAlgorithm(c.jwk, alg));
      if (fitting.length === 0) return invalid(`alg ${shown(alg)} does not fit key ${shown(header.kid)} (kty ${String(named[0]!.jwk.kty)}): that key never verifies ${shown(alg)}`, "the token's alg does not fit the key its kid names");
      chosen = fitting[0]!;
    } else {
      // No kid: the key must follow from the algorithm alone. With several keys
      // that could have signed it, trying each would let any of them vouch
      // for a token meant for another (agentgateway refuses every kid-less token).
      const fitting = all.filter((c) => keyFitsAlgorithm(c.jwk, alg));
      if (fitting.length === 0) return invalid(`no key can verify an ${shown(alg)} token`, "no key can verify the token's alg");
      if (fitting.length > 1) {
        return invalid(
          `the token header does not specify a \`kid\`, and ${fitting.length} keys could verify an ${shown(alg)} token: no single key can be chosen`,
          `the token header does not specify a \`kid\`, and ${fitting.length} keys could verify it: no single key can be chosen`,
        );
      }
      chosen = fitting[0]!;
    }
    try {
      const payload = await this.verifyWith(token, chosen, alg);
      const kid = typeof chosen.jwk.kid === 'string' ? ` (kid ${chosen.jwk.kid})` : '';
      const note = header.kid === undefined ? `token without kid accepted: exactly one key${kid} could verify it` : undefined;
      return { ok: true, provider: chosen.provider.name, subject: payload.sub, ...(note ? { note } : {}) };
    } catch (error) {
      const failed = failedCheck(error as Error & { code?: string; claim?: string }, chosen, token);
      return invalid(failed, failed.split(':')[0]);
    }
  }
}

function invalid(description: string, summary: string): Extract<JwtOutcome, { ok: false }> {
  return { ok: false, error: 'invalid_token', description, summary };
}

/** A token field shown in a body or log line: JSON-quoted (so CR/LF stay escaped) and at most 64 characters. */
function shown(value: unknown): string {
  const text = JSON.stringify(typeof value === 'string' ? value : String(value)) ?? '""';
  return text.length > 66 ? `${text.slice(0, 64)}…"` : text;
}

/** jose's error, as the check that failed, naming what the token said. */
function failedCheck(error: Error & { code?: string; claim?: string }, chosen: Candidate, token: string): string {
  const key = typeof chosen.jwk.kid === 'string' ? `key "${chosen.jwk.kid}"` : `provider ${chosen.provider.name}'s key`;
  let claims: JWTPayload = {};
  try {
    claims = decodeJwt(token);
  } catch {
    // the signature check runs first; unreadable claims only matter after it passed
  }
  switch (error.code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return `signature check failed: ${key} did not sign this header and payload (signed by another key, or changed after signing)`;
    case 'ERR_JWT_EXPIRED':
      return `exp check failed: the token expired at ${typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : 'an earlier time'}`;
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (error.claim === 'iss') return `iss check failed: issuer ${shown(claims.iss ?? null)} is not the provider's issuer ${JSON.stringify(chosen.provider.issuer)}`;
      if (error.claim === 'aud') return `aud check failed: audience ${shown(claims.aud ?? null)} is none of ${JSON.stringify(chosen.provider.audiences ?? [])}`;
      if (error.claim === 'nbf') return `nbf check failed: the token is not valid before ${typeof claims.nbf === 'number' ? new Date(claims.nbf * 1000).toISOString() : 'a later time'}`;
      return `${error.claim === undefined ? 'claim' : shown(error.claim)} check failed: ${shown(error.message)}`;
    default:
      return `malformed token: ${shown(error.message)}`;
  }
}

/**
 * RFC 6750 challenge. Nothing from the token goes into this header: a kid
 * with CR/LF made writeHead throw (a reset instead of 401), and an echoed
 * field is a header-injection channel. The check that failed is named in our
 * own words (`summary`); the details go to the body and the access log,
 * quoted and shortened.
 */
export function wwwAuthenticate(realm: string, outcome: Extract<JwtOutcome, { ok: false }>): string {
  const safe = (s: string) => s.replace(/[^\x20-\x7e]|["\\]/g, '_');
  if (outcome.error === 'missing_token') return `Bearer realm="${safe(realm)}"`;
  return `Bearer realm="${safe(realm)}", error="invalid_token", error_description="${safe(outcome.summary ?? 'the token could not be verified')}"`;
}
