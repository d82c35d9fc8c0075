// Issuer and ClusterIssuer readiness, as cert-manager reports it. Supported:
// `selfSigned: {}` and `ca: {secretName}` (the CA key pair in a Secret of the
// Issuer's namespace; for a ClusterIssuer, of the cluster resource namespace
// `cert-manager`). Other issuer types are reported as not supported here.
import crypto from 'node:crypto';
import type { KubeObject, Store } from '../../store/store-types.js';
import { CLUSTER_ISSUERS, ISSUERS, SECRETS } from '../resource-keys.js';

export const CLUSTER_RESOURCE_NAMESPACE = 'cert-manager';

export interface IssuerSpec { selfSigned?: object; ca?: { secretName?: string }; [type: string]: unknown }

export type IssuerState =
  | { ready: true; kind: 'selfSigned'; reason: string; message: string }
  | { ready: true; kind: 'ca'; reason: string; message: string; certPem: string; keyPem: string; caPem: string }
  | { ready: false; reason: string; message: string };

export interface IssuerRef { name: string; kind?: string; group?: string }

export function lookupIssuer(store: Store, namespace: string, ref: IssuerRef): { issuer?: KubeObject; secretNamespace: string; label: string } {
  const kind = ref.kind ?? 'Issuer';
  if (kind === 'ClusterIssuer') return { issuer: store.get(CLUSTER_ISSUERS, undefined, ref.name), secretNamespace: CLUSTER_RESOURCE_NAMESPACE, label: `ClusterIssuer "${ref.name}"` };
  return { issuer: store.get(ISSUERS, namespace, ref.name), secretNamespace: namespace, label: `Issuer "${namespace}/${ref.name}"` };
}

function secretValue(secret: KubeObject, key: string): string | undefined {
  const value = (secret.data as Record<string, string> | undefined)?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** Evaluates an issuer from its spec and the objects it depends on (not from its status: no ordering issues). */
export function issuerState(store: Store, issuer: KubeObject, secretNamespace: string): IssuerState {
  const spec = (issuer.spec ?? {}) as IssuerSpec;
  if (spec.selfSigned) return { ready: true, kind: 'selfSigned', reason: 'IsReady', message: '' };
  if (spec.ca) {
    const secretName = spec.ca.secretName;
    if (!secretName) return { ready: false, reason: 'ErrInitIssuer', message: 'spec.ca.secretName is required' };
    const secret = store.get(SECRETS, secretNamespace, secretName);
    if (!secret) return { ready: false, reason: 'ErrGetKeyPair', message: `Error getting keypair for CA issuer: secret "${secretNamespace}/${secretName}" not found` };
    const certPem = secretValue(secret, 'tls.crt');
    const keyPem = secretValue(secret, 'tls.key');
    if (!certPem || !keyPem) return { ready: false, reason: 'ErrGetKeyPair', message: `Error getting keypair for CA issuer: secret "${secretNamespace}/${secretName}" has no tls.crt and tls.key` };
    try {
      const cert = new crypto.X509Certificate(certPem);
      if (!cert.checkPrivateKey(crypto.createPrivateKey(keyPem))) return { ready: false, reason: 'ErrInvalidKeyPair', message: `Error getting keypair for CA issuer: the key in "${secretName}" does not match its certificate` };
      if (!cert.ca) return { ready: false, reason: 'ErrInvalidKeyPair', message: `Error getting keypair for CA issuer: the certificate in "${secretName}" is not a CA` };
    } catch (error) {
      return { ready: false, reason: 'ErrGetKeyPair', message: `Error getting keypair for CA issuer: ${(error as Error).message}` };
    }
    const caPem = secretValue(secret, 'ca.crt') || certPem;
    return { ready: true, kind: 'ca', reason: 'KeyPairVerified', message: 'Signing CA verified', certPem, keyPem, caPem };
  }
  const type = Object.keys(spec)[0] ?? 'none';
  return { ready: false, reason: 'NotSupported', message: `issuer type "${type}" is not supported by the embedded cluster (supported: selfSigned, ca)` };
}

export const ISSUER_KEYS = [ISSUERS, CLUSTER_ISSUERS];
