// cert-manager's Issuers and Certificates against an in-memory store: real keys and certificates, checked with node:crypto.
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { FakeStore, eventually } from './fake-store.js';
import { startCertManagerLoops } from '../../../source/cluster/embedded/controllers/cert-manager/index.js';
import { CERTIFICATES, CLUSTER_ISSUERS, ISSUERS, SECRETS } from '../../../source/cluster/embedded/controllers/resource-keys.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';

function setup(t: { teardown(fn: () => void): void }) {
  const store = new FakeStore();
  const loops = startCertManagerLoops({ store, network: { octet: 1, loopbackRange: true }, log: () => {} });
  t.teardown(() => loops.forEach((l) => l.stop()));
  return store;
}

const ready = (o: KubeObject | undefined) => (o?.status as any)?.conditions?.find((c: any) => c.type === 'Ready');
const secretCert = (secret: KubeObject, key = 'tls.crt') => new X509Certificate(Buffer.from((secret.data as any)[key], 'base64'));

function certificate(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name, namespace: 'lab' }, spec };
}

test('a SelfSigned issuer is Ready; a CA Certificate from it seeds a CA issuer that signs a server Certificate', async (t) => {
  const store = setup(t);
  store.create(ISSUERS, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'selfsigned', namespace: 'lab' }, spec: { selfSigned: {} } });
  await eventually(() => ready(store.get(ISSUERS, 'lab', 'selfsigned'))?.status === 'True', 'self-signed issuer Ready');
  store.create(CERTIFICATES, certificate('root', { isCA: true, commonName: 'workshop-root', secretName: 'root-ca', issuerRef: { name: 'selfsigned', kind: 'Issuer' }, subject: { organizations: ['Solo.io'] } }));
  const rootSecret = await eventually(() => store.get(SECRETS, 'lab', 'root-ca'), 'root secret');
  const root = secretCert(rootSecret);
  t.true(root.ca);
  t.is(root.subject, 'O=Solo.io\nCN=workshop-root');
  t.is(rootSecret.type, 'kubernetes.io/tls');
  store.create(ISSUERS, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'ca', namespace: 'lab' }, spec: { ca: { secretName: 'root-ca' } } });
  await eventually(() => ready(store.get(ISSUERS, 'lab', 'ca'))?.reason === 'KeyPairVerified', 'CA issuer Ready');

  store.create(CERTIFICATES, certificate('server', {
    secretName: 'server-tls', commonName: 'api.example.com', dnsNames: ['api.example.com', 'www.example.com'], ipAddresses: ['127.0.0.5'],
    duration: '24h', renewBefore: '1h', usages: ['server auth', 'client auth'], privateKey: { algorithm: 'RSA', size: 2048 }, issuerRef: { name: 'ca' },
  }));
  const secret = await eventually(() => store.get(SECRETS, 'lab', 'server-tls'), 'server secret');
  const leaf = secretCert(secret);
  t.true(leaf.verify(root.publicKey), 'signed by the CA');
  t.is(leaf.subjectAltName, 'DNS:api.example.com, DNS:www.example.com, IP Address:127.0.0.5');
  t.is(secretCert(secret, 'ca.crt').fingerprint256, root.fingerprint256);
  t.is(secret.metadata.annotations!['cert-manager.io/certificate-name'], 'server');
  t.is(Math.round((Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 3_600_000), 24);
  const status = await eventually(() => ready(store.get(CERTIFICATES, 'lab', 'server'))?.status === 'True' && store.get(CERTIFICATES, 'lab', 'server')!.status as any, 'Ready');
  t.is(Date.parse(status.notAfter) - Date.parse(status.renewalTime), 3_600_000);
  t.is(status.revision, 1);
});

test('a changed spec re-issues the Secret; an unchanged one does not', async (t) => {
  const store = setup(t);
  store.create(CLUSTER_ISSUERS, { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'selfsigned' }, spec: { selfSigned: {} } });
  store.create(CERTIFICATES, certificate('c', { secretName: 's', dnsNames: ['a.example.com'], issuerRef: { name: 'selfsigned', kind: 'ClusterIssuer' } }));
  const first = await eventually(() => store.get(SECRETS, 'lab', 's'), 'secret');
  await eventually(() => ready(store.get(CERTIFICATES, 'lab', 'c'))?.status === 'True', 'Ready');
  const unchanged = store.get(CERTIFICATES, 'lab', 'c')!;
  store.update(CERTIFICATES, { ...unchanged, metadata: { ...unchanged.metadata, labels: { touched: 'yes' } } });
  await new Promise((r) => setTimeout(r, 100));
  t.is(store.get(SECRETS, 'lab', 's')!.metadata.resourceVersion, first.metadata.resourceVersion, 'a label change does not re-issue');
  const current = store.get(CERTIFICATES, 'lab', 'c')!;
  store.update(CERTIFICATES, { ...current, spec: { ...(current.spec as object), dnsNames: ['b.example.com'] } });
  const second = await eventually(() => { const s = store.get(SECRETS, 'lab', 's')!; return s.metadata.resourceVersion !== first.metadata.resourceVersion && s; }, 're-issued');
  t.is(secretCert(second).subjectAltName, 'DNS:b.example.com');
  await eventually(() => (store.get(CERTIFICATES, 'lab', 'c')!.status as any).revision === 2, 'revision 2');
  // A deleted Secret comes back.
  store.delete(SECRETS, 'lab', 's');
  await eventually(() => store.get(SECRETS, 'lab', 's'), 'secret recreated');
  t.pass();
});

test('a Certificate whose issuer is missing or not ready stays Ready=False with a reason, and recovers', async (t) => {
  const store = setup(t);
  store.create(CERTIFICATES, certificate('c', { secretName: 's', commonName: 'x', issuerRef: { name: 'ca' } }));
  const missing = await eventually(() => ready(store.get(CERTIFICATES, 'lab', 'c')), 'condition');
  t.like(missing, { status: 'False', reason: 'IssuerNotFound' });
  t.regex(missing.message, /Issuer "lab\/ca" not found/);
  store.create(ISSUERS, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'ca', namespace: 'lab' }, spec: { ca: { secretName: 'root' } } });
  const notReady = await eventually(() => ready(store.get(CERTIFICATES, 'lab', 'c'))?.reason === 'IssuerNotReady' && ready(store.get(CERTIFICATES, 'lab', 'c')), 'IssuerNotReady');
  t.regex(notReady.message, /secret "lab\/root" not found/);
  t.is(ready(store.get(ISSUERS, 'lab', 'ca')).reason, 'ErrGetKeyPair');
  const { issueCertificate } = await import('../../../source/pki/index.js');
  const ca = issueCertificate({ subject: '/CN=root' });
  store.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'root', namespace: 'lab' }, type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from(ca.certPem).toString('base64'), 'tls.key': Buffer.from(ca.keyPem).toString('base64') } });
  await eventually(() => ready(store.get(CERTIFICATES, 'lab', 'c'))?.status === 'True', 'Ready after the CA appears');
  t.true(secretCert(store.get(SECRETS, 'lab', 's')!).verify(new X509Certificate(ca.certPem).publicKey));
});

test('unsupported key algorithms and issuer types are reported, not faked', async (t) => {
  const store = setup(t);
  store.create(ISSUERS, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'acme', namespace: 'lab' }, spec: { acme: { server: 'https://acme' } } });
  store.create(ISSUERS, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'self', namespace: 'lab' }, spec: { selfSigned: {} } });
  store.create(CERTIFICATES, certificate('ed', { secretName: 'ed', commonName: 'x', privateKey: { algorithm: 'Ed25519' }, issuerRef: { name: 'self' } }));
  store.create(CERTIFICATES, certificate('p384', { secretName: 'p384', commonName: 'x', privateKey: { algorithm: 'ECDSA', size: 384 }, issuerRef: { name: 'self' } }));
  t.like(await eventually(() => ready(store.get(ISSUERS, 'lab', 'acme')), 'acme condition'), { status: 'False', reason: 'NotSupported' });
  t.like(await eventually(() => ready(store.get(CERTIFICATES, 'lab', 'ed')), 'ed condition'), { status: 'False', reason: 'UnsupportedKeyAlgorithm' });
  const p384 = await eventually(() => ready(store.get(CERTIFICATES, 'lab', 'p384')), 'p384 condition');
  t.like(p384, { status: 'False', reason: 'UnsupportedKeyAlgorithm' });
  t.regex(p384.message, /only 256, the P-256 curve/);
  t.is(store.get(SECRETS, 'lab', 'ed'), undefined);
  t.is(store.get(SECRETS, 'lab', 'p384'), undefined);
});

test('ECDSA (P-256, cert-manager\'s default size) for a CA and the server certificate it signs; a CA Issuer takes the ECDSA key pair', async (t) => {
  const store = setup(t);
  store.create(ISSUERS, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'selfsigned', namespace: 'lab' }, spec: { selfSigned: {} } });
  store.create(CERTIFICATES, certificate('root', { isCA: true, commonName: 'ec-root', secretName: 'ec-root', privateKey: { algorithm: 'ECDSA', size: 256 }, issuerRef: { name: 'selfsigned' } }));
  const root = secretCert(await eventually(() => store.get(SECRETS, 'lab', 'ec-root'), 'root secret'));
  t.is(root.publicKey.asymmetricKeyType, 'ec');
  t.true(root.ca);
  store.create(ISSUERS, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'ec-ca', namespace: 'lab' }, spec: { ca: { secretName: 'ec-root' } } });
  await eventually(() => ready(store.get(ISSUERS, 'lab', 'ec-ca'))?.reason === 'KeyPairVerified', 'CA issuer Ready with an ECDSA key pair');
  store.create(CERTIFICATES, certificate('server', { secretName: 'server-tls', dnsNames: ['api.example.com'], privateKey: { algorithm: 'ECDSA' }, issuerRef: { name: 'ec-ca' } }));
  const secret = await eventually(() => store.get(SECRETS, 'lab', 'server-tls'), 'server secret');
  const leaf = secretCert(secret);
  t.is(leaf.publicKey.asymmetricKeyType, 'ec');
  t.true(leaf.verify(root.publicKey));
  t.true(leaf.checkIssued(root));
  t.is(secret.metadata.annotations!['cert-manager.io/common-name'], 'api.example.com');
  const status = await eventually(() => ready(store.get(CERTIFICATES, 'lab', 'server'))?.status === 'True' && (store.get(CERTIFICATES, 'lab', 'server')!.status as any), 'Ready');
  t.is(status.notAfter, new Date(leaf.validTo).toISOString().replace(/\.\d{3}Z$/, 'Z'));
});
