// Gateway.spec.tls.frontend (standard in Gateway API v1.5): client-certificate
// validation for the TLS listeners of a port, from `default` or a `perPort`
// entry. CA bundles come from ConfigMaps (or Secrets) under key `ca.crt`.
// An unusable CA makes the listener not Accepted (NoValidCACertificate) and
// not Programmed; it never silently turns validation off.
import { X509Certificate } from 'node:crypto';
import type { FrontendValidationIR } from '../ir/types.js';
import type { Problem } from './conditions.js';
import type { InputObject } from './input-types.js';
import { asArray, asNumber, asRecord, asString, configMapValue, namespaceOf, secretValue } from './fields.js';
import { isReferenceAllowed } from './reference-grants.js';
import type { SnapshotIndex } from './snapshot-index.js';

export interface FrontendValidationResult {
  validation?: FrontendValidationIR;
  /** First bad CA reference (ResolvedRefs=False). */
  unresolved?: Problem;
  /** Set when no CA at all could be used (Accepted=False NoValidCACertificate). */
  noValidCa?: Problem;
}

/** Splits a PEM bundle and keeps it only if every block is a certificate. */
export function parseCaBundle(pem: string | undefined): string | undefined {
  if (!pem) return undefined;
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks || blocks.length === 0) return undefined;
  try {
    for (const block of blocks) new X509Certificate(block);
  } catch {
    return undefined;
  }
  return blocks.join('\n') + '\n';
}

function resolveCaRef(index: SnapshotIndex, gateway: InputObject, rawRef: unknown): { pem?: string; problem?: Problem } {
  const ref = asRecord(rawRef);
  const group = asString(ref.group) ?? '';
  const kind = asString(ref.kind) ?? 'ConfigMap';
  const name = asString(ref.name) ?? '';
  const namespace = asString(ref.namespace) ?? namespaceOf(gateway);
  const source = `${namespace}/${name}`;
  if (group !== '' || (kind !== 'ConfigMap' && kind !== 'Secret')) {
    return { problem: { reason: 'InvalidCACertificateKind', message: `caCertificateRef ${source} is a ${group ? group + '/' : ''}${kind}; only ConfigMap and Secret are supported` } };
  }
  const permitted = isReferenceAllowed(
    index.input.referenceGrants,
    { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: namespaceOf(gateway) },
    { group: '', kind, namespace, name },
  );
  if (!permitted) {
    return { problem: { reason: 'RefNotPermitted', message: `caCertificateRef to ${kind} ${source} is not permitted by any ReferenceGrant in namespace ${namespace}` } };
  }
  const holder = kind === 'ConfigMap' ? index.configMaps.get(source) : index.secrets.get(source);
  if (!holder) return { problem: { reason: 'InvalidCACertificateRef', message: `${kind} ${source} does not exist` } };
  const raw = kind === 'ConfigMap' ? configMapValue(holder, 'ca.crt') : secretValue(holder, 'ca.crt');
  if (raw === undefined) return { problem: { reason: 'InvalidCACertificateRef', message: `${kind} ${source} has no ca.crt` } };
  const pem = parseCaBundle(raw);
  if (!pem) return { problem: { reason: 'InvalidCACertificateRef', message: `${kind} ${source} ca.crt is not a PEM certificate bundle` } };
  return { pem };
}

function resolveValidation(index: SnapshotIndex, gateway: InputObject, rawValidation: unknown): FrontendValidationResult {
  const validation = asRecord(rawValidation);
  const mode = validation.mode === 'AllowInsecureFallback' ? 'AllowInsecureFallback' : 'AllowValidOnly';
  const pems: string[] = [];
  let unresolved: Problem | undefined;
  const refs = asArray(validation.caCertificateRefs);
  for (const ref of refs) {
    const result = resolveCaRef(index, gateway, ref);
    if (result.pem) pems.push(result.pem);
    else unresolved ??= result.problem;
  }
  if (pems.length === 0) {
    const problem = unresolved ?? { reason: 'InvalidCACertificateRef', message: 'frontend validation has no caCertificateRefs' };
    return { unresolved: problem, noValidCa: { reason: 'NoValidCACertificate', message: `no usable CA certificate: ${problem.message}` } };
  }
  return { validation: { caPem: pems.join(''), mode }, unresolved };
}

/** Returns, for a listener port, the frontend validation that applies to it (undefined: none configured). */
export function frontendValidationResolver(index: SnapshotIndex, gateway: InputObject): (port: number) => FrontendValidationResult | undefined {
  const frontend = asRecord(asRecord(asRecord(gateway.spec).tls).frontend);
  const cache = new Map<string, FrontendValidationResult>();
  const perPort = new Map<number, unknown>();
  for (const raw of asArray(frontend.perPort)) {
    const entry = asRecord(raw);
    const port = asNumber(entry.port);
    const validation = asRecord(entry.tls).validation;
    if (port !== undefined && validation !== undefined) perPort.set(port, validation);
  }
  const defaultValidation = asRecord(frontend.default).validation;
  return (port) => {
    const key = perPort.has(port) ? String(port) : 'default';
    const raw = perPort.has(port) ? perPort.get(port) : defaultValidation;
    if (raw === undefined) return undefined;
    if (!cache.has(key)) cache.set(key, resolveValidation(index, gateway, raw));
    return cache.get(key);
  };
}
