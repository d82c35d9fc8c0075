// The JWT a request carries in `Authorization: Bearer …`, decoded for the
// learner: header and claims only. The signature is never decoded or shown;
// its size says whether there is one. Untrusted bytes: any input gives a
// result or a reason, never an exception.
import type { ProbeRequest } from './types.js';

export interface SentJwt {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** Bytes of the signature (0: none, as with alg none). */
  signatureBytes: number;
  /** Why the header or claims could not be read. */
  problem?: string;
}

function decodeSegment(segment: string, what: string): { value?: Record<string, unknown>; problem?: string } {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return { problem: `the ${what} is not base64url` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return { problem: `the ${what} is not JSON` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { problem: `the ${what} is not a JSON object` };
  return { value: parsed as Record<string, unknown> };
}

/** A compact JWS (three dot-separated parts) decoded; undefined when the text is not one. */
export function decodeJwt(token: string): SentJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = decodeSegment(parts[0]!, 'header');
  const claims = decodeSegment(parts[1]!, 'payload');
  const signatureBytes = /^[A-Za-z0-9_-]*$/.test(parts[2]!) ? Buffer.from(parts[2]!, 'base64url').length : 0;
  const out: SentJwt = { signatureBytes };
  if (header.value) out.header = header.value;
  if (claims.value) out.claims = claims.value;
  const problem = header.problem ?? claims.problem;
  if (problem) out.problem = problem;
  return out;
}

/** The JWT sent as a Bearer token, if the request has one. */
export function sentJwt(request: ProbeRequest): SentJwt | undefined {
  const value = request.headers?.find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m ? decodeJwt(m[1]!) : undefined;
}

/** `{"alg":"RS256","typ":"JWT"}` with times as dates: one line each for header and claims. */
export function describeJwt(jwt: SentJwt): { header: string; claims: string; signature: string } {
  const claims = jwt.claims ? { ...jwt.claims } : undefined;
  if (claims) for (const key of ['exp', 'iat', 'nbf']) if (typeof claims[key] === 'number') claims[key] = `${claims[key]} (${new Date((claims[key] as number) * 1000).toISOString()})`;
  return {
    header: jwt.header ? JSON.stringify(jwt.header) : `(unreadable: ${jwt.problem})`,
    claims: claims ? JSON.stringify(claims) : `(unreadable: ${jwt.problem})`,
    signature: jwt.signatureBytes ? `${jwt.signatureBytes} bytes (not shown)` : 'none',
  };
}
