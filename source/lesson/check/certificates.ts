// Checks of certificates: files the learner wrote (wherever: the lesson's work
// directory, the current directory, example_certs/ below it, or --dir), and
// the kubernetes.io/tls Secrets made from them. Judged as the lesson states
// them: subject, subjectAltNames, issuer (and its signature when the signer's
// file is found), and the private key belonging to the certificate.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { oneLineName } from '../../pki/index.js';
import { normalizeName, sanNames } from '../steps/certs.js';
import type { CertificateSpec, CertsStep, SecretStep } from '../types.js';
import type { ObjectRef } from '../../cluster/client.js';
import type { CheckEnvironment, CheckFinding } from './types.js';

const MAX_DEPTH = 2;
const MAX_FILES = 400;
const MAX_FILE_BYTES = 256 * 1024;
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist']);

export interface FoundCertificate {
  file: string;
  cert: crypto.X509Certificate;
  subject: string;
  issuer: string;
  sans: string[];
}

export interface CertificateFiles {
  certificates: FoundCertificate[];
  /** Private keys found, by file. */
  keys: { file: string; key: crypto.KeyObject }[];
  searched: string[];
}

async function walk(dir: string, depth: number, out: string[]): Promise<void> {
  if (out.length >= MAX_FILES) return;
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (out.length >= MAX_FILES) return;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (depth < MAX_DEPTH && !SKIPPED_DIRS.has(e.name) && !e.name.startsWith('.')) await walk(full, depth + 1, out);
    } else if (e.isFile() && /\.(crt|pem|cert|cer|key)$/i.test(e.name)) out.push(full);
  }
}

function certificateOf(pem: string): crypto.X509Certificate | undefined {
  try {
    return new crypto.X509Certificate(pem);
  } catch {
    return undefined;
  }
}

/** Every certificate and private key (PEM) under the directories, bounded in depth and count. */
export async function findCertificateFiles(dirs: string[]): Promise<CertificateFiles> {
  const searched = [...new Set(dirs.map((d) => path.resolve(d)))];
  const files: string[] = [];
  for (const dir of searched) await walk(dir, 0, files);
  const result: CertificateFiles = { certificates: [], keys: [], searched };
  for (const file of [...new Set(files)]) {
    let text: string;
    try {
      if ((await fsp.stat(file)).size > MAX_FILE_BYTES) continue;
      text = await fsp.readFile(file, 'utf8');
    } catch {
      continue;
    }
    if (/-----BEGIN CERTIFICATE-----/.test(text)) {
      const cert = certificateOf(text);
      if (cert) result.certificates.push({ file, cert, subject: oneLineName(cert.subject), issuer: oneLineName(cert.issuer), sans: sanNames((cert.subjectAltName ?? '').split(',').map((s) => s.trim()).filter(Boolean)) });
    }
    if (/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(text)) {
      try {
        result.keys.push({ file, key: crypto.createPrivateKey(text) });
      } catch {
        // not a usable key (encrypted, torn): not this certificate's key
      }
    }
  }
  return result;
}

function shortPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** What is wrong with a certificate for a spec, or undefined when it fits (subject aside, which selected it). */
function certificateProblem(spec: CertificateSpec, subject: string, issuer: string, sans: string[], signerSubject: string | undefined): string | undefined {
  const missing = spec.subjectAltNames.map((n) => n.replace(/^(DNS|IP|URI):/, '')).filter((n) => !sans.includes(n));
  if (missing.length) {
    return sans.length
      ? `its subjectAltNames are ${sans.join(', ')}, without ${missing.join(', ')}`
      : `it has no subjectAltName (the lesson adds ${missing.join(', ')}: curl checks the name there, not in the CN; without it, --cacert fails with exit 60)`;
  }
  const wantedIssuer = signerSubject ?? spec.subject;
  if (normalizeName(issuer) !== normalizeName(wantedIssuer)) return `it is issued by ${issuer}, not by ${wantedIssuer}${spec.signer ? ` (the ${spec.signer} CA)` : ' (self-signed)'}`;
  return undefined;
}

function keyMatches(cert: crypto.X509Certificate, key: crypto.KeyObject): boolean {
  try {
    return cert.checkPrivateKey(key);
  } catch {
    return false;
  }
}

/** certs: each certificate of the step, found on disk with its key, signed by its signer. */
export function checkCertificateFiles(step: CertsStep, found: CertificateFiles, all: Map<string, CertificateSpec>): CheckFinding[] {
  const findings: CheckFinding[] = [];
  for (const spec of step.certificates) {
    const subjectName = `certificate ${spec.name}`;
    const signerSpec = spec.signer ? all.get(spec.signer) : undefined;
    const candidates = found.certificates.filter((c) => normalizeName(c.subject) === normalizeName(spec.subject));
    if (!candidates.length) {
      const byName = found.certificates.find((c) => path.basename(c.file).replace(/\.(crt|pem|cert|cer)$/i, '') === spec.name);
      findings.push({
        ok: false,
        subject: subjectName,
        expected: `subject ${spec.subject}`,
        observed: byName ? `${shortPath(byName.file)}: subject ${byName.subject}` : 'no file',
        message: byName
          ? `${shortPath(byName.file)} is for ${byName.subject}; the lesson wants ${spec.subject}`
          : `no certificate with subject ${spec.subject} in ${found.searched.map(shortPath).join(', ')} (run the openssl commands, or check with --dir DIR where you wrote them)`,
      });
      continue;
    }
    let best: CheckFinding | undefined;
    for (const c of candidates) {
      let problem = certificateProblem(spec, c.subject, c.issuer, c.sans, signerSpec?.subject);
      if (!problem && signerSpec) {
        const signers = found.certificates.filter((s) => normalizeName(s.subject) === normalizeName(signerSpec.subject));
        if (signers.length && !signers.some((s) => c.cert.verify(s.cert.publicKey))) {
          problem = `its signature does not verify with ${signers.map((s) => shortPath(s.file)).join(', ')} (signed by another key with the same name: was the CA made again after it?)`;
        }
      }
      const key = found.keys.find((k) => keyMatches(c.cert, k.key));
      if (!problem && !key) problem = `no private key for it was found beside it (${path.dirname(shortPath(c.file))}/*.key)`;
      const finding: CheckFinding = problem
        ? { ok: false, subject: subjectName, expected: spec.subject, observed: `${shortPath(c.file)}`, message: `${shortPath(c.file)} has subject ${c.subject}, but ${problem}` }
        : { ok: true, subject: subjectName, observed: shortPath(c.file), message: `${shortPath(c.file)}: ${c.subject}, issued by ${c.issuer}${c.sans.length ? `, SANs ${c.sans.join(', ')}` : ''}; key ${shortPath(key!.file)}` };
      if (finding.ok) {
        best = finding;
        break;
      }
      best ??= finding;
    }
    findings.push(best!);
  }
  return findings;
}

/** secret: each Secret exists, is kubernetes.io/tls, and holds the lesson's certificate with its own key. */
export async function checkSecrets(env: CheckEnvironment, step: SecretStep, all: Map<string, CertificateSpec>, later: (ref: ObjectRef) => string | undefined = () => undefined): Promise<CheckFinding[]> {
  const findings: CheckFinding[] = [];
  for (const s of step.secrets) {
    const namespace = await env.fill(s.namespace ?? '${NAMESPACE}', step.source);
    const subject = `Secret ${namespace}/${s.name}`;
    const again = later({ apiVersion: 'v1', kind: 'Secret', name: s.name, namespace });
    if (again) {
      findings.push({ ok: true, superseded: true, subject, message: `${subject}: changed again by a later step (${again}); not checked here` });
      continue;
    }
    if (!s.certificate) {
      // An Opaque Secret of literals: it exists with each key (values are never read back into a message).
      const opaque = await env.client.get({ apiVersion: 'v1', kind: 'Secret', name: s.name, namespace });
      const keys = Object.keys((opaque?.data ?? {}) as Record<string, string>);
      const missing = (s.literals ?? []).map(([key]) => key).filter((key) => !keys.includes(key));
      if (!opaque) findings.push({ ok: false, subject, observed: 'not found', message: `${subject} not found` });
      else if (missing.length) findings.push({ ok: false, subject, expected: `keys ${missing.join(', ')}`, observed: `keys ${keys.join(', ') || '(none)'}`, message: `${subject} exists but has no ${missing.join(', ')}` });
      else findings.push({ ok: true, subject, observed: `keys ${keys.join(', ')}`, message: `${subject}: has ${keys.join(', ')}` });
      continue;
    }
    const spec = all.get(s.certificate)!;
    const signerSubject = spec.signer ? all.get(spec.signer)?.subject : undefined;
    const live = await env.client.get({ apiVersion: 'v1', kind: 'Secret', name: s.name, namespace });
    if (!live) {
      findings.push({ ok: false, subject, expected: `a TLS Secret with ${spec.subject}`, observed: 'not found', message: `${subject} not found` });
      continue;
    }
    const type = live.type as string | undefined;
    const data = (live.data ?? {}) as Record<string, string>;
    if (type !== 'kubernetes.io/tls') {
      findings.push({ ok: false, subject, expected: 'type kubernetes.io/tls', observed: `type ${type ?? '(none)'}`, message: `${subject} exists but has type ${type ?? '(none)'}, not kubernetes.io/tls (kubectl create secret tls makes that type)` });
      continue;
    }
    const cert = data['tls.crt'] ? certificateOf(Buffer.from(data['tls.crt'], 'base64').toString('utf8')) : undefined;
    if (!cert) {
      findings.push({ ok: false, subject, expected: 'a certificate in tls.crt', observed: 'none', message: `${subject} exists but its tls.crt holds no readable certificate` });
      continue;
    }
    const certSubject = oneLineName(cert.subject);
    const certSans = sanNames((cert.subjectAltName ?? '').split(',').map((x) => x.trim()).filter(Boolean));
    if (normalizeName(certSubject) !== normalizeName(spec.subject)) {
      findings.push({
        ok: false,
        subject,
        expected: `certificate ${spec.subject}`,
        observed: `certificate ${certSubject}`,
        message: `the Secret \`${s.name}\` exists but its certificate is for ${certSubject}; the lesson wants ${spec.subject} (the ${s.certificate} files)`,
      });
      continue;
    }
    const problem = certificateProblem(spec, certSubject, oneLineName(cert.issuer), certSans, signerSubject);
    if (problem) {
      findings.push({ ok: false, subject, expected: spec.subject, observed: certSubject, message: `the Secret \`${s.name}\` holds ${certSubject}, but ${problem}` });
      continue;
    }
    let key: crypto.KeyObject | undefined;
    try {
      key = data['tls.key'] ? crypto.createPrivateKey(Buffer.from(data['tls.key'], 'base64').toString('utf8')) : undefined;
    } catch {
      key = undefined;
    }
    if (!key || !keyMatches(cert, key)) {
      findings.push({
        ok: false,
        subject,
        expected: 'tls.key belongs to tls.crt',
        observed: key ? 'another key' : 'no readable key',
        message: `the Secret \`${s.name}\` holds the right certificate, but ${key ? 'tls.key is the key of another certificate (--key and --cert swapped between hosts?)' : 'no readable private key in tls.key'}`,
      });
      continue;
    }
    findings.push({ ok: true, subject, observed: certSubject, message: `${subject}: ${certSubject}, issued by ${oneLineName(cert.issuer)}, key matches` });
  }
  // CA bundles: a ConfigMap holding the lesson certificate (and nothing secret) under ca.crt.
  for (const c of step.configMaps) {
    const namespace = await env.fill(c.namespace ?? '${NAMESPACE}', step.source);
    const subject = `ConfigMap ${namespace}/${c.name}`;
    const again = later({ apiVersion: 'v1', kind: 'ConfigMap', name: c.name, namespace });
    if (again) {
      findings.push({ ok: true, superseded: true, subject, message: `${subject}: changed again by a later step (${again}); not checked here` });
      continue;
    }
    const spec = all.get(c.certificate)!;
    const live = await env.client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: c.name, namespace });
    const pem = (live?.data as Record<string, string> | undefined)?.['ca.crt'];
    const cert = pem ? certificateOf(pem) : undefined;
    if (!live) findings.push({ ok: false, subject, expected: `ca.crt with ${spec.subject}`, observed: 'not found', message: `${subject} not found` });
    else if (!cert) findings.push({ ok: false, subject, expected: `ca.crt with ${spec.subject}`, observed: 'no certificate', message: `${subject} exists but holds no readable certificate under ca.crt` });
    else if (normalizeName(oneLineName(cert.subject)) !== normalizeName(spec.subject)) {
      findings.push({ ok: false, subject, expected: spec.subject, observed: oneLineName(cert.subject), message: `the ConfigMap \`${c.name}\` holds ${oneLineName(cert.subject)}; the lesson wants ${spec.subject} (the ${c.certificate} file)` });
    } else findings.push({ ok: true, subject, observed: oneLineName(cert.subject), message: `${subject}: ca.crt is ${oneLineName(cert.subject)}` });
  }
  return findings;
}

export function certificateDirsDefault(workDir: string, cwd = process.cwd()): string[] {
  return [workDir, cwd].filter((d) => fs.existsSync(d));
}
