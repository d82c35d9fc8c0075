// Listener certificateRefs → serving certificates. A Secret must be of type
// kubernetes.io/tls and hold a parseable certificate with its matching key;
// another namespace needs a ReferenceGrant. Problems become listener conditions.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { CertificateIR } from '../ir/types.js';
import type { Problem } from './conditions.js';
import type { InputObject } from './input-types.js';
import { asRecord, asString, namespaceOf, secretValue, describe } from './fields.js';
import { isReferenceAllowed } from './reference-grants.js';
import type { SnapshotIndex } from './snapshot-index.js';

export interface SecretRefResult {
  certificate?: CertificateIR;
  problem?: Problem;
}

// Parsing a key costs milliseconds and every snapshot re-checks every Secret:
// remember recent answers (the check is a pure function of the two PEMs).
const checked = new Map<string, string | undefined>();
const CHECKED_LIMIT = 512;

/** Checks that `certPem`/`keyPem` parse and belong together; returns why not, or undefined. */
export function certificateProblem(certPem: string | undefined, keyPem: string | undefined): string | undefined {
  if (!certPem) return 'has no tls.crt';
  if (!keyPem) return 'has no tls.key';
  const cacheKey = `${certPem}\0${keyPem}`;
  if (checked.has(cacheKey)) return checked.get(cacheKey);
  const problem = checkPair(certPem, keyPem);
  if (checked.size >= CHECKED_LIMIT) checked.delete(checked.keys().next().value!);
  checked.set(cacheKey, problem);
  return problem;
}

function checkPair(certPem: string, keyPem: string): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return 'tls.crt is not a PEM certificate';
  }
  try {
    const key = createPrivateKey(keyPem);
    if (!cert.checkPrivateKey(key)) return 'tls.key does not match the certificate in tls.crt';
  } catch {
    return 'tls.key is not a PEM private key';
  }
  return undefined;
}

/** Resolves one `{group, kind, name, namespace}` Secret reference of a Gateway (listener or backend client cert). */
export function resolveTlsSecretRef(index: SnapshotIndex, gateway: InputObject, rawRef: unknown): SecretRefResult {
  const ref = asRecord(rawRef);
  const group = asString(ref.group) ?? '';
  const kind = asString(ref.kind) ?? 'Secret';
  const name = asString(ref.name) ?? '';
  const gatewayNamespace = namespaceOf(gateway);
  const namespace = asString(ref.namespace) ?? gatewayNamespace;
  const source = `${namespace}/${name}`;
  if (group !== '' || kind !== 'Secret') {
    return { problem: { reason: 'InvalidCertificateRef', message: `certificateRef ${source} is a ${group ? group + '/' : ''}${kind}, not a core Secret` } };
  }
  const allowed = isReferenceAllowed(
    index.input.referenceGrants,
    { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: gatewayNamespace },
    { group: '', kind: 'Secret', namespace, name },
  );
  if (!allowed) {
    return { problem: { reason: 'RefNotPermitted', message: `certificateRef to Secret ${source} is not permitted by any ReferenceGrant in namespace ${namespace}` } };
  }
  const secret = index.secrets.get(source);
  if (!secret) return { problem: { reason: 'InvalidCertificateRef', message: `Secret ${source} does not exist` } };
  if (secret.type !== 'kubernetes.io/tls') {
    return { problem: { reason: 'InvalidCertificateRef', message: `Secret ${source} is of type ${asString(secret.type) ?? describe(secret.type ?? 'Opaque')}, not kubernetes.io/tls` } };
  }
  const certPem = secretValue(secret, 'tls.crt');
  const keyPem = secretValue(secret, 'tls.key');
  const problem = certificateProblem(certPem, keyPem);
  if (problem) return { problem: { reason: 'InvalidCertificateRef', message: `Secret ${source} ${problem}` } };
  return { certificate: { source, certPem: certPem!, keyPem: keyPem! } };
}
