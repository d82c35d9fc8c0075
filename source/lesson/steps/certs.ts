// certs: a CA and the certificates it signs, written to the lab's work dir
// (keys 0600). Existing files are reused when they still match the spec, so a
// re-run or a resume does not change certificates under a running gateway.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { inspectCertificate, issueCertificate, writeCertificateFiles, type IssuedCertificate } from '../../pki/index.js';
import type { StepContext, StepResult } from '../context.js';
import { opensslCommands } from '../equivalents.js';
import type { CertificateSpec, CertsStep, Lesson } from '../types.js';

/** `/CN=a/O=b` and `CN=a; O=b` name the same subject (attribute order aside). */
export function normalizeName(name: string): string {
  return name
    .replace(/^\//, '')
    .split(/\s*[;/,\n]\s*/)
    .filter(Boolean)
    .sort()
    .join('; ');
}

export function certificateFiles(workDir: string, name: string): { certFile: string; keyFile: string } {
  return { certFile: path.join(workDir, `${name}.crt`), keyFile: path.join(workDir, `${name}.key`) };
}

/** Every certificate the lesson declares, by name. */
export function lessonCertificates(lesson: Lesson): Map<string, CertificateSpec> {
  const out = new Map<string, CertificateSpec>();
  for (const step of lesson.steps) if (step.kind === 'certs') for (const c of step.certificates) out.set(c.name, c);
  return out;
}

export function sanNames(list: string[]): string[] {
  return list.map((n) => n.replace(/^(DNS|IP Address|IP|URI):/, '')).sort();
}

/** The files on disk still satisfy the spec: same subject and SANs, signed by the signer on disk, key matching, not about to expire. */
function reusable(spec: CertificateSpec, issued: IssuedCertificate, signer: IssuedCertificate | undefined): boolean {
  try {
    const cert = new crypto.X509Certificate(issued.certPem);
    const facts = inspectCertificate(issued.certPem);
    if (normalizeName(facts.subject) !== normalizeName(spec.subject)) return false;
    if (sanNames(facts.subjectAltNames).join(',') !== sanNames(spec.subjectAltNames).join(',')) return false;
    if (Date.parse(facts.notAfter) < Date.now() + 24 * 3600 * 1000) return false;
    if (!cert.checkPrivateKey(crypto.createPrivateKey(issued.keyPem))) return false;
    const issuerCert = new crypto.X509Certificate(signer ? signer.certPem : issued.certPem);
    return cert.verify(issuerCert.publicKey);
  } catch {
    return false;
  }
}

async function readIssued(workDir: string, name: string): Promise<IssuedCertificate | undefined> {
  const { certFile, keyFile } = certificateFiles(workDir, name);
  if (!fs.existsSync(certFile) || !fs.existsSync(keyFile)) return undefined;
  return { certPem: await fsp.readFile(certFile, 'utf8'), keyPem: await fsp.readFile(keyFile, 'utf8') };
}

function describe(spec: CertificateSpec, issued: IssuedCertificate, reused: boolean): string {
  const facts = inspectCertificate(issued.certPem);
  const lines = [
    `${spec.name}.crt${reused ? ' (reused: still valid)' : ''}`,
    `  subject:  ${facts.subject}`,
    `  issuer:   ${facts.issuer}${spec.signer ? ` (signed by ${spec.signer})` : ' (self-signed)'}`,
    `  SANs:     ${facts.subjectAltNames.join(', ') || '(none)'}`,
    `  validity: ${facts.notBefore} → ${facts.notAfter}`,
    `  key:      ${spec.keyType.replace('rsa', 'RSA ')} bits, ${spec.name}.key (mode 0600)${spec.serial !== undefined ? `, serial ${spec.serial}` : ''}`,
  ];
  if (spec.note) lines.push(`  note:     ${spec.note}`);
  return lines.join('\n');
}

/** RSA keys generated on libuv's thread pool, in parallel, instead of one after another on the main thread. */
function generateKeyAsync(keyType: CertificateSpec['keyType']): Promise<string> {
  const modulusLength = Number(keyType.slice(3));
  return new Promise((resolve, reject) =>
    crypto.generateKeyPair('rsa', { modulusLength }, (error, _publicKey, privateKey) =>
      error ? reject(error) : resolve(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    ),
  );
}

export async function runCerts(ctx: StepContext): Promise<StepResult> {
  const step = ctx.step as CertsStep;
  for (const command of opensslCommands(step.certificates, ctx.workDir)) ctx.command('openssl', command);
  await ctx.state.recordPath(step.id, 'dir', ctx.workDir);
  await fsp.mkdir(ctx.workDir, { recursive: true, mode: 0o700 });

  // Which files can stay: still matching the spec, and signed by a signer that stays too.
  const reused = new Map<string, IssuedCertificate>();
  for (const spec of step.certificates) {
    const existing = await readIssued(ctx.workDir, spec.name);
    const signer = spec.signer ? reused.get(spec.signer) : undefined;
    if (existing && (!spec.signer || signer) && reusable(spec, existing, signer)) reused.set(spec.name, existing);
  }
  // Keys for the others start at once, in parallel on the thread pool.
  const keys = new Map(step.certificates.filter((spec) => !reused.has(spec.name)).map((spec) => [spec.name, generateKeyAsync(spec.keyType)] as const));
  for (const promise of keys.values()) promise.catch(() => {}); // each is awaited below

  const issuedByName = new Map<string, IssuedCertificate>();
  for (const spec of step.certificates) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const kept = reused.get(spec.name);
    if (kept) {
      issuedByName.set(spec.name, kept);
      ctx.output(describe(spec, kept, true));
      continue;
    }
    const signer = spec.signer ? issuedByName.get(spec.signer) : undefined;
    if (spec.signer && !signer) return { ok: false, error: `certificate ${spec.name}: its signer ${spec.signer} has not been generated` };
    const files = certificateFiles(ctx.workDir, spec.name);
    await ctx.state.recordPath(step.id, 'file', files.keyFile);
    await ctx.state.recordPath(step.id, 'file', files.certFile);
    ctx.progress(`issuing ${spec.name} (${spec.subject})`);
    const issued = issueCertificate({
      subject: spec.subject,
      subjectAltNames: spec.subjectAltNames,
      usage: spec.usage,
      issuer: signer,
      keyType: spec.keyType,
      keyPem: await keys.get(spec.name)!,
      validityDays: spec.validityDays,
      serial: spec.serial,
    });
    await writeCertificateFiles(ctx.workDir, spec.name, issued);
    issuedByName.set(spec.name, issued);
    ctx.output(describe(spec, issued, false));
  }
  return { ok: true };
}
