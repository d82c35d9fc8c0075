// JWT authentication failures: which check of the gateway's JWT filter
// refused the request, why that check exists, and what to change. Read from
// the answer (401/403, RFC 6750 WWW-Authenticate error_description, body) in
// the words of this workshop's gateway, Envoy's jwt_authn ("Jwt is expired")
// and agentgateway ("the token header does not specify a `kid`"), and from
// the token the probe sent (decoded: header and claims, never the signature).
import type { ProbeResult } from '../probe/types.js';
import { describeJwt, sentJwt } from '../probe/jwt-view.js';
import { header } from './facts.js';
import type { FailureMode } from './types.js';

const refused = (r: ProbeResult) => r.outcome === 'established' && (r.http?.status === 401 || r.http?.status === 403);

/** What the gateway said about the token: the challenge's error_description and the body. */
function reasonText(r: ProbeResult): string {
  const challenge = header(r, 'www-authenticate') ?? '';
  const description = /error_description="([^"]*)"/.exec(challenge)?.[1] ?? '';
  return `${description}\n${r.http?.body ?? ''}`;
}

/** The answer in short: status and the gateway's reason (challenge error_description, else the body). */
function said(r: ProbeResult): string {
  const challenge = header(r, 'www-authenticate');
  const description = challenge ? /error_description="([^"]*)"/.exec(challenge)?.[1] : undefined;
  const reason = description ?? (r.http?.body ?? '').trim().slice(0, 160);
  return `HTTP ${r.http?.status}${reason ? `: "${reason}"` : challenge ? `, WWW-Authenticate: ${challenge}` : ''}`;
}

/** The token by its header (the probe summary shows its claims too); never its signature. */
function token(r: ProbeResult): string {
  const jwt = sentJwt(r.request);
  if (!jwt) return 'the request';
  return `the token with header ${describeJwt(jwt).header}`;
}

function jwtMode(id: string, title: string, pattern: RegExp, explain: (r: ProbeResult) => { cause: string; fix: string }): FailureMode {
  return { id, title, matches: (r) => refused(r) && pattern.test(reasonText(r)), explain };
}

export const jwtFailureModes: FailureMode[] = [
  {
    id: 'jwt-missing',
    title: 'No token: the JWT policy requires a Bearer token',
    matches: (r) => refused(r) && !sentJwt(r.request) && !r.request.headers?.some(([n]) => n.toLowerCase() === 'authorization') && (/^Bearer/i.test(header(r, 'www-authenticate') ?? '') || /bearer token is required|Jwt is missing|no bearer token/i.test(r.http?.body ?? '')),
    explain: (r) => ({
      cause: `the request carried no Authorization header, and the JWT policy on this route is strict: the gateway's JWT filter answered before any route backend was called (${said(r)}${header(r, 'www-authenticate') ? `, WWW-Authenticate: ${header(r, 'www-authenticate')}` : ''}). The challenge without error= is RFC 6750 §3.1's way to say "credentials needed", not "credentials wrong"`,
      fix: 'send -H "Authorization: Bearer $TOKEN" with a token signed by a key of the policy\'s providers',
    }),
  },
  jwtMode('jwt-alg-none', 'alg none: an unsigned token', /alg none|unsigned token|InvalidAlgorithm.*none|alg.{0,20}none/i, (r) => ({
    cause: `${token(r)} says alg "none": it has no signature, so anyone could have written it. The algorithm check refuses it before any key is looked at (${said(r)}). RFC 8725 §3.1: a verifier must never accept "none" where a signature is required`,
    fix: 'sign the token (RS256 with the provider\'s private key); never configure a verifier that accepts alg none',
  })),
  jwtMode('jwt-alg-key-mismatch', 'The token\'s alg does not fit the key it names', /does not fit key|Jwks doesn't have key to match kid or alg|InvalidAlgorithm/i, (r) => ({
    cause: `${token(r)} names a key whose type cannot verify its alg: the key-type check refused it (${said(r)}). An HS256 token "signed" with the RSA public key is the key-confusion attack (CVE-2015-9235 and many since): a verifier that let the token choose the algorithm would use the public key, known to everyone, as an HMAC secret`,
    fix: 'tokens for this provider must be RS256 (or what the key\'s type allows), signed with the private key; pin the algorithm per key on the verifier side',
  })),
  jwtMode('jwt-kid-ambiguous', 'No kid, and more than one key could have signed the token', /does not specify a `?kid`?|no single key can be chosen/i, (r) => ({
    cause: `${token(r)} has no kid in its header, and the policy holds more than one key that could verify its alg: the key-selection check refused it, since no single key can be chosen (${said(r)}). kid (RFC 7515 §4.1.4) is how an issuer with several keys, e.g. during a key rotation, tells the verifier which one signed. agentgateway refuses every token without kid (the JWT lab text shows it "Currently failing with" 403 and "the token header does not specify a kid"); this workshop's gateway accepts one only when exactly one key fits; Envoy's jwt_authn tries every key`,
    fix: 'have the issuer put the signing key\'s kid in the token header (for a PEM key Solo\'s build uses its RFC 7638 thumbprint), or keep a single key in the provider',
  })),
  jwtMode('jwt-unknown-kid', 'The token names a key the policy does not have', /unknown key|no key with kid|UnknownKeyId/i, (r) => ({
    cause: `${token(r)} names a kid that no provider of the policy holds: the key-lookup check refused it (${said(r)})`,
    fix: 'add the issuer\'s current public key (with that kid) to the provider\'s JWKS, or sign with a key the provider has',
  })),
  jwtMode('jwt-expired', 'The token has expired', /exp check failed|expired|ExpiredSignature/i, (r) => ({
    cause: `${token(r)} has an exp in the past: the signature is fine, but the expiry check refused it (${said(r)}). RFC 7519 §4.1.4: a token must not be accepted on or after exp`,
    fix: 'get a fresh token from the issuer; check the clocks (date -u) if a new token is refused too',
  })),
  jwtMode('jwt-not-yet-valid', 'The token is not valid yet', /nbf check failed|not yet valid|ImmatureSignature/i, (r) => ({
    cause: `${token(r)} has an nbf in the future: the not-before check refused it (${said(r)})`,
    fix: 'check the clocks of the issuer and of the gateway (date -u)',
  })),
  jwtMode('jwt-wrong-issuer', 'The token was issued by someone the policy does not trust', /iss check failed|issuer is not configured|InvalidIssuer|unexpected "?iss"?/i, (r) => ({
    cause: `${token(r)} has an iss that is not the provider's issuer: the issuer check refused it, although a trusted key signed it (${said(r)}). The issuer binds a key to who may mint tokens with it`,
    fix: 'use a token from the configured issuer, or set the provider\'s issuer to the one that mints these tokens',
  })),
  jwtMode('jwt-wrong-audience', 'The token is meant for another audience', /aud check failed|audiences? (in Jwt )?(are|is) not allowed|InvalidAudience/i, (r) => ({
    cause: `${token(r)} has an aud the provider does not accept: the audience check refused it (${said(r)})`,
    fix: 'request a token for this API\'s audience, or add it to the provider\'s audiences',
  })),
  jwtMode('jwt-bad-signature', 'The signature does not match the header and payload', /signature check failed|Jwt verification fails|InvalidSignature|signature verification failed/i, (r) => ({
    cause: `${token(r)} names a key the policy has, but that key did not sign these bytes: the signature check refused it (${said(r)}). Either another key signed it, or the header or claims were changed after signing (a signature covers base64url(header).base64url(claims) exactly)`,
    fix: 'never edit a signed token: have the issuer sign a new one with the claims you need',
  })),
  jwtMode('jwt-malformed', 'The token could not be read', /malformed token|Jwt is not in the form|InvalidHeader|invalid or malformed/i, (r) => ({
    cause: `the Authorization header does not hold a readable JWT: ${said(r)}`,
    fix: 'send "Authorization: Bearer <header>.<claims>.<signature>" with base64url JSON parts',
  })),
];
