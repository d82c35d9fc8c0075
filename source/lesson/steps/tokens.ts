// tokens: JSON Web Tokens for a lesson, signed with jose by the key of one of
// the lesson's certificates, and that key's public half as `<signer>.pub.pem`.
// Some recipes make tokens a gateway must refuse (alg none, HS256 keyed with
// the public key, claims changed after signing): the refusal is then the
// gateway's, on the wire. Tokens are signed again on every run (iat/exp are
// relative to now); the key is the certs step's and stays.
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { CompactSign, UnsecuredJWT, calculateJwkThumbprint, exportJWK } from 'jose';
import type { StepContext, StepResult } from '../context.js';
import type { TokenSpec, TokensStep } from '../types.js';
import { certificateFiles } from './certs.js';

export function publicKeyFile(workDir: string, signer: string): string {
  return path.join(workDir, `${signer}.pub.pem`);
}

export function tokenFile(workDir: string, name: string): string {
  return path.join(workDir, `${name}.jwt`);
}

/** `${TOKEN_<NAME>}` for a token name: upper case, `-` as `_`. */
export function tokenVariable(name: string): string {
  return `TOKEN_${name.toUpperCase().replace(/-/g, '_')}`;
}

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

export interface MadeToken {
  name: string;
  token: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** The header and claims a recipe signs (before any tampering), `now` in seconds. */
export function tokenContents(step: Pick<TokensStep, 'claims' | 'expiresInSeconds'>, spec: TokenSpec, kid: string, now: number): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const claims = { ...step.claims, ...spec.claims, iat: now, exp: now + (spec.expiresInSeconds ?? step.expiresInSeconds) };
  const alg = spec.recipe === 'alg-none' ? 'none' : spec.recipe === 'hs256-public-key' ? 'HS256' : 'RS256';
  const header: Record<string, unknown> = alg === 'none' ? { alg } : { alg, typ: 'JWT', kid };
  return { header, claims };
}

export async function makeToken(step: Pick<TokensStep, 'claims' | 'expiresInSeconds'>, spec: TokenSpec, privateKey: crypto.KeyObject, publicPem: string, kid: string, now: number): Promise<MadeToken> {
  const { header, claims } = tokenContents(step, spec, kid, now);
  const payload = new TextEncoder().encode(JSON.stringify(claims));
  let token: string;
  switch (spec.recipe) {
    case 'alg-none':
      token = new UnsecuredJWT(claims).encode();
      break;
    case 'hs256-public-key':
      // The classic key-confusion attack: the verifier's RSA public key, byte for byte, as an HMAC secret.
      token = await new CompactSign(payload).setProtectedHeader(header as { alg: string }).sign(new TextEncoder().encode(publicPem));
      break;
    case 'signed':
      token = await new CompactSign(payload).setProtectedHeader(header as { alg: string }).sign(privateKey);
      break;
    case 'tampered': {
      const signed = await new CompactSign(payload).setProtectedHeader(header as { alg: string }).sign(privateKey);
      const [h, , signature] = signed.split('.');
      const changed = { ...claims, ...spec.tamper };
      token = `${h}.${b64url(JSON.stringify(changed))}.${signature}`;
      return { name: spec.name, token, header, claims: changed };
    }
  }
  return { name: spec.name, token, header, claims };
}

/** The same tokens made with openssl in a shell (what a learner would type). */
export function tokenCommands(step: TokensStep, workDir: string, kid = '$KID'): string[] {
  const key = `${step.signer}.key`;
  const out = [
    `cd "${workDir}"`,
    `openssl pkey -in ${key} -pubout -out ${step.signer}.pub.pem`,
    `b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }`,
    `NOW=$(date +%s)${kid === '$KID' ? '  # KID: the RFC 7638 thumbprint of the key, printed when the step runs' : ''}`,
  ];
  for (const spec of step.tokens) {
    const { header, claims } = tokenContents(step, spec, kid, 0);
    const claimsJson = JSON.stringify({ ...claims, iat: '@IAT', exp: '@EXP' })
      .replace('"@IAT"', '%d')
      .replace('"@EXP"', '%d');
    const expires = spec.expiresInSeconds ?? step.expiresInSeconds;
    const p = `P=$(printf '${claimsJson}' $NOW $((NOW${expires < 0 ? '' : '+'}${expires})) | b64url)`;
    const h = `H=$(printf '%s' '${JSON.stringify(header)}' | b64url)`;
    const file = `${spec.name}.jwt`;
    switch (spec.recipe) {
      case 'alg-none':
        out.push(`${h}; ${p}; printf '%s.%s.' "$H" "$P" > ${file}`);
        break;
      case 'hs256-public-key':
        out.push(`${h}; ${p}; printf '%s.%s.%s' "$H" "$P" "$(printf '%s.%s' "$H" "$P" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$(od -An -tx1 -v ${step.signer}.pub.pem | tr -d ' \\n') -binary | b64url)" > ${file}`);
        break;
      case 'signed':
        out.push(`${h}; ${p}; printf '%s.%s.%s' "$H" "$P" "$(printf '%s.%s' "$H" "$P" | openssl dgst -sha256 -sign ${key} | b64url)" > ${file}`);
        break;
      case 'tampered': {
        const changed = JSON.stringify({ ...claims, ...spec.tamper, iat: '@IAT', exp: '@EXP' }).replace('"@IAT"', '%d').replace('"@EXP"', '%d');
        const t = `T=$(printf '${changed}' $NOW $((NOW${expires < 0 ? '' : '+'}${expires})) | b64url)`;
        out.push(`${h}; ${p}; ${t}; printf '%s.%s.%s' "$H" "$T" "$(printf '%s.%s' "$H" "$P" | openssl dgst -sha256 -sign ${key} | b64url)" > ${file}  # signed over P, sent with T`);
        break;
      }
    }
  }
  return out;
}

/** A token's header and claims for the learner: never its signature. */
function describe(made: MadeToken): string {
  return `${made.name}.jwt\n  header: ${JSON.stringify(made.header)}\n  claims: ${JSON.stringify(made.claims)}`;
}

export async function runTokens(ctx: StepContext): Promise<StepResult> {
  const step = ctx.step as TokensStep;
  const { keyFile } = certificateFiles(ctx.workDir, step.signer);
  let keyPem: string;
  try {
    keyPem = await fsp.readFile(keyFile, 'utf8');
  } catch {
    return { ok: false, error: `tokens: ${keyFile} is missing (run the certificates step first)` };
  }
  const privateKey = crypto.createPrivateKey(keyPem);
  const publicKey = crypto.createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey), 'sha256');
  for (const command of tokenCommands(step, ctx.workDir, kid)) ctx.command('openssl', command);
  await fsp.mkdir(ctx.workDir, { recursive: true, mode: 0o700 });
  const pubFile = publicKeyFile(ctx.workDir, step.signer);
  await ctx.state.recordPath(step.id, 'file', pubFile);
  await fsp.writeFile(pubFile, publicPem, { mode: 0o644 });
  ctx.output(`${step.signer}.pub.pem: the public key of ${step.signer}.key, kid ${kid} (its RFC 7638 SHA-256 thumbprint)`);
  const now = Math.floor(Date.now() / 1000);
  for (const spec of step.tokens) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const made = await makeToken(step, spec, privateKey, publicPem, kid, now);
    const file = tokenFile(ctx.workDir, spec.name);
    await ctx.state.recordPath(step.id, 'file', file);
    await fsp.writeFile(file, made.token, { mode: 0o600 });
    ctx.output(describe(made));
  }
  return { ok: true };
}
