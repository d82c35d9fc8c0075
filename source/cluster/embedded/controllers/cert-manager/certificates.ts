// A cert-manager Certificate → a kubernetes.io/tls Secret (tls.crt, tls.key,
// ca.crt) issued by its SelfSigned or CA issuer, re-issued when the
// Certificate's spec (or its issuer's CA) changes or its Secret goes missing.
import crypto from 'node:crypto';
import type { KubeObject, Store } from '../../store/store-types.js';
import { issueCertificate, type CertificateUsage, type KeyType } from '../../../../pki/index.js';
import type { NameAttribute } from '../../../../pki/distinguished-name.js';
import { SECRETS } from '../resource-keys.js';
import { issuerState, lookupIssuer, type IssuerRef } from './issuers.js';
import { parseGoDuration } from './duration.js';
import { ownerReferenceTo, stableStringify } from '../objects.js';

export interface CertificateSpec {
  secretName?: string;
  commonName?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  uris?: string[];
  emailAddresses?: string[];
  duration?: string;
  renewBefore?: string;
  isCA?: boolean;
  usages?: string[];
  subject?: { organizations?: string[]; organizationalUnits?: string[]; countries?: string[]; provinces?: string[]; localities?: string[]; serialNumber?: string };
  privateKey?: { algorithm?: string; size?: number; rotationPolicy?: string };
  issuerRef?: IssuerRef;
  secretTemplate?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** Annotation on the Secret: what it was issued from, so a changed spec or CA re-issues it. */
export const ISSUED_FROM_ANNOTATION = 'agw-workshop.dev/issued-from';
const DEFAULT_DURATION_MS = 2160 * 3_600_000;

export class CertificateNotIssued extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

function subjectOf(spec: CertificateSpec): NameAttribute[] {
  const out: NameAttribute[] = [];
  const s = spec.subject ?? {};
  for (const c of s.countries ?? []) out.push({ shortName: 'C', value: c });
  for (const p of s.provinces ?? []) out.push({ shortName: 'ST', value: p });
  for (const l of s.localities ?? []) out.push({ shortName: 'L', value: l });
  for (const o of s.organizations ?? []) out.push({ shortName: 'O', value: o });
  for (const u of s.organizationalUnits ?? []) out.push({ shortName: 'OU', value: u });
  if (s.serialNumber) out.push({ shortName: 'serialNumber', value: s.serialNumber });
  if (spec.commonName) out.push({ shortName: 'CN', value: spec.commonName });
  return out;
}

function usageOf(spec: CertificateSpec): CertificateUsage {
  if (spec.isCA) return 'ca';
  const usages = spec.usages ?? [];
  const server = usages.includes('server auth');
  const client = usages.includes('client auth');
  if (client && server) return 'server-and-client';
  if (client) return 'client';
  return 'server';
}

function keyTypeOf(spec: CertificateSpec): KeyType {
  const algorithm = spec.privateKey?.algorithm ?? 'RSA';
  if (algorithm === 'ECDSA') {
    // cert-manager's ECDSA sizes are 256 (its default), 384 and 521; our PKI makes P-256.
    const size = spec.privateKey?.size ?? 256;
    if (size === 256) return 'ecdsa-p256';
    if (size === 384 || size === 521) throw new CertificateNotIssued('UnsupportedKeyAlgorithm', `privateKey.size ${size} for ECDSA is not supported by the embedded cluster (only 256, the P-256 curve)`);
    throw new CertificateNotIssued('InvalidKeySize', `privateKey.size ${size} is not one of 256, 384, 521 for ECDSA`);
  }
  if (algorithm !== 'RSA') throw new CertificateNotIssued('UnsupportedKeyAlgorithm', `privateKey.algorithm ${algorithm} is not supported by the embedded cluster (RSA and ECDSA are)`);
  const size = spec.privateKey?.size ?? 2048;
  if (size === 2048) return 'rsa2048';
  if (size === 3072) return 'rsa3072';
  if (size === 4096) return 'rsa4096';
  throw new CertificateNotIssued('InvalidKeySize', `privateKey.size ${size} is not one of 2048, 3072, 4096`);
}

/** What the issued Secret depends on: the spec and the issuing CA. */
export function issuanceFingerprint(spec: CertificateSpec, caCertPem: string | undefined): string {
  const relevant = { ...spec, secretTemplate: undefined };
  return crypto.createHash('sha256').update(stableStringify({ spec: relevant, ca: caCertPem ?? 'self' })).digest('hex').slice(0, 32);
}

export interface Issued { secret: KubeObject; notBefore: Date; notAfter: Date; renewalTime: Date }

/** Issues (or returns undefined when the current Secret is still what the spec asks for). Throws CertificateNotIssued with a reason. */
export function issueFor(store: Store, certificate: KubeObject): { secretName: string; issued?: Issued; current?: KubeObject } {
  const spec = (certificate.spec ?? {}) as CertificateSpec;
  const namespace = certificate.metadata.namespace ?? 'default';
  if (!spec.secretName) throw new CertificateNotIssued('InvalidSpec', 'spec.secretName is required');
  if (!spec.issuerRef?.name) throw new CertificateNotIssued('InvalidSpec', 'spec.issuerRef.name is required');
  if (spec.issuerRef.group && spec.issuerRef.group !== 'cert-manager.io') {
    throw new CertificateNotIssued('IssuerNotSupported', `issuerRef group "${spec.issuerRef.group}" is not served by the embedded cluster (only cert-manager.io)`);
  }
  if (!spec.commonName && !spec.dnsNames?.length && !spec.ipAddresses?.length && !spec.uris?.length && !spec.emailAddresses?.length) {
    throw new CertificateNotIssued('InvalidSpec', 'at least one of commonName, dnsNames, uris, ipAddresses or emailAddresses must be set');
  }
  const { issuer, secretNamespace, label } = lookupIssuer(store, namespace, spec.issuerRef);
  if (!issuer) throw new CertificateNotIssued('IssuerNotFound', `${label} not found`);
  const state = issuerState(store, issuer, secretNamespace);
  if (!state.ready) throw new CertificateNotIssued('IssuerNotReady', `${label} is not ready: ${state.message}`);
  const caCertPem = state.kind === 'ca' ? state.certPem : undefined;
  const fingerprint = issuanceFingerprint(spec, caCertPem);
  const current = store.get(SECRETS, namespace, spec.secretName);
  if (current?.metadata.annotations?.[ISSUED_FROM_ANNOTATION] === fingerprint && (current.data as Record<string, string> | undefined)?.['tls.crt']) {
    return { secretName: spec.secretName, current };
  }

  const durationMs = spec.duration ? parseGoDuration(spec.duration) : DEFAULT_DURATION_MS;
  const keyType = keyTypeOf(spec);
  const subject = subjectOf(spec);
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + durationMs);
  const altNames = [
    ...(spec.dnsNames ?? []).map((d) => `DNS:${d}`),
    ...(spec.ipAddresses ?? []).map((ip) => `IP:${ip}`),
    ...(spec.uris ?? []).map((u) => `URI:${u}`),
  ];
  // Reuse the key unless the rotation policy says Always (cert-manager v1.18+ defaults to Always).
  const reuseKey = spec.privateKey?.rotationPolicy === 'Never' && current ? Buffer.from(String((current.data as Record<string, string>)['tls.key'] ?? ''), 'base64').toString('utf8') || undefined : undefined;
  const issuedSubject = subject.length ? subject : ([{ shortName: 'CN', value: spec.dnsNames?.[0] ?? '' }].filter((a) => a.value) as NameAttribute[]);
  const issued = issueCertificate({
    subject: issuedSubject,
    subjectAltNames: altNames,
    usage: usageOf(spec),
    keyType,
    ...(reuseKey ? { keyPem: reuseKey } : {}),
    ...(state.kind === 'ca' ? { issuer: { certPem: state.certPem, keyPem: state.keyPem } } : {}),
    notBefore,
    notAfter,
  });
  const renewBeforeMs = spec.renewBefore ? parseGoDuration(spec.renewBefore) : durationMs / 3;
  const caPem = state.kind === 'ca' ? state.caPem : issued.certPem;
  const certificateName = issuedSubject.find((a) => a.shortName === 'CN')?.value;
  const secret: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name: spec.secretName,
      namespace,
      labels: { ...(current?.metadata.labels ?? {}), ...(spec.secretTemplate?.labels ?? {}), 'controller.cert-manager.io/fao': 'true' },
      annotations: {
        ...(current?.metadata.annotations ?? {}),
        ...(spec.secretTemplate?.annotations ?? {}),
        'cert-manager.io/certificate-name': certificate.metadata.name,
        'cert-manager.io/issuer-name': spec.issuerRef.name,
        'cert-manager.io/issuer-kind': spec.issuerRef.kind ?? 'Issuer',
        'cert-manager.io/issuer-group': spec.issuerRef.group ?? 'cert-manager.io',
        'cert-manager.io/common-name': certificateName ?? spec.commonName ?? '',
        'cert-manager.io/alt-names': (spec.dnsNames ?? []).join(','),
        'cert-manager.io/ip-sans': (spec.ipAddresses ?? []).join(','),
        'cert-manager.io/uri-sans': (spec.uris ?? []).join(','),
        [ISSUED_FROM_ANNOTATION]: fingerprint,
      },
      ...(current ? { resourceVersion: current.metadata.resourceVersion } : { ownerReferences: undefined }),
    },
    data: {
      'tls.crt': Buffer.from(issued.certPem).toString('base64'),
      'tls.key': Buffer.from(issued.keyPem).toString('base64'),
      'ca.crt': Buffer.from(caPem).toString('base64'),
    },
  };
  void ownerReferenceTo; // cert-manager does not own the Secret by default (--enable-certificate-owner-ref=false)
  return { secretName: spec.secretName, issued: { secret, notBefore, notAfter, renewalTime: new Date(notAfter.getTime() - renewBeforeMs) }, current };
}
