// The cert-manager loops: Issuer/ClusterIssuer readiness, and Certificates
// issued into Secrets (certificates.ts), with the status cert-manager writes.
import crypto from 'node:crypto';
import type { KubeObject } from '../../store/store-types.js';
import { CERTIFICATES, CLUSTER_ISSUERS, ISSUERS, SECRETS } from '../resource-keys.js';
import { WorkQueue } from '../work-queue.js';
import type { Loop, LoopContext } from '../loop.js';
import { isConflictOrGone, isTerminating, listAndWatch, objectKey, sameJson, splitKey, withCondition, type Condition } from '../objects.js';
import { CLUSTER_RESOURCE_NAMESPACE, issuerState } from './issuers.js';
import { CertificateNotIssued, issueFor, type CertificateSpec } from './certificates.js';
import { parseGoDuration } from './duration.js';
import { eventRecorder } from '../events.js';

export function startCertManagerLoops(ctx: LoopContext): Loop[] {
  const { store, log } = ctx;
  const issuerQueue = new WorkQueue('cert-manager issuers', reconcileIssuer, log);
  const certificateQueue = new WorkQueue('cert-manager certificates', reconcileCertificate, log);
  const event = eventRecorder(store, 'cert-manager-certificates-issuing', log);

  // Keys: "Issuer:ns/name", "ClusterIssuer:name".
  const unwatch = [
    listAndWatch(store, ISSUERS, (e) => { if (e.type !== 'DELETED') issuerQueue.add(`Issuer:${objectKey(e.object)}`); requeueCertificates(); }),
    listAndWatch(store, CLUSTER_ISSUERS, (e) => { if (e.type !== 'DELETED') issuerQueue.add(`ClusterIssuer:${e.object.metadata.name}`); requeueCertificates(); }),
    listAndWatch(store, CERTIFICATES, (e) => { if (e.type !== 'DELETED') certificateQueue.add(objectKey(e.object)); }),
    store.watch(SECRETS, (e) => onSecret(e.object)),
  ];

  function requeueCertificates(namespace?: string): void {
    for (const certificate of store.list(CERTIFICATES, namespace ? { namespace } : {}).items) certificateQueue.add(objectKey(certificate));
  }

  function onSecret(secret: KubeObject): void {
    const ns = secret.metadata.namespace ?? '';
    // A CA Secret changed: its issuers and their certificates; a Certificate's Secret changed or vanished: that certificate.
    for (const issuer of store.list(ISSUERS, { namespace: ns }).items) {
      if ((issuer.spec as { ca?: { secretName?: string } } | undefined)?.ca?.secretName === secret.metadata.name) issuerQueue.add(`Issuer:${objectKey(issuer)}`);
    }
    if (ns === CLUSTER_RESOURCE_NAMESPACE) for (const issuer of store.list(CLUSTER_ISSUERS).items) issuerQueue.add(`ClusterIssuer:${issuer.metadata.name}`);
    requeueCertificates(ns === CLUSTER_RESOURCE_NAMESPACE ? undefined : ns);
  }

  function reconcileIssuer(key: string): void {
    const [kind, rest] = key.split(':') as [string, string];
    const { namespace, name } = splitKey(rest);
    const issuer = kind === 'ClusterIssuer' ? store.get(CLUSTER_ISSUERS, undefined, name) : store.get(ISSUERS, namespace, name);
    if (!issuer || isTerminating(issuer)) return;
    const state = issuerState(store, issuer, kind === 'ClusterIssuer' ? CLUSTER_RESOURCE_NAMESPACE : namespace ?? 'default');
    const previous = (issuer.status ?? {}) as { conditions?: Condition[] };
    const conditions = withCondition(previous.conditions, {
      type: 'Ready', status: state.ready ? 'True' : 'False', reason: state.reason, message: state.message, observedGeneration: issuer.metadata.generation ?? 1,
    });
    const status = { ...previous, conditions };
    if (sameJson(status, issuer.status)) return;
    try {
      store.updateStatus(kind === 'ClusterIssuer' ? CLUSTER_ISSUERS : ISSUERS, { ...issuer, status });
    } catch (error) {
      if (!isConflictOrGone(error)) throw error;
      issuerQueue.add(key);
    }
  }

  function reconcileCertificate(key: string): void {
    const { namespace, name } = splitKey(key);
    const certificate = store.get(CERTIFICATES, namespace, name);
    if (!certificate || isTerminating(certificate)) return;
    const previous = (certificate.status ?? {}) as Record<string, unknown> & { conditions?: Condition[]; revision?: number };
    const generation = certificate.metadata.generation ?? 1;
    let status: Record<string, unknown>;
    try {
      const result = issueFor(store, certificate);
      let secret = result.current;
      let times: { notBefore: string; notAfter: string; renewalTime: string };
      let revision = previous.revision ?? 0;
      if (result.issued) {
        const { issued } = result;
        secret = result.current ? store.update(SECRETS, issued.secret) : store.create(SECRETS, issued.secret);
        revision += 1;
        times = { notBefore: issued.notBefore.toISOString().replace(/\.\d{3}Z$/, 'Z'), notAfter: issued.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z'), renewalTime: issued.renewalTime.toISOString().replace(/\.\d{3}Z$/, 'Z') };
        log(`cert-manager: issued ${namespace}/${result.secretName} for Certificate ${key} (revision ${revision})`);
        event(certificate, 'Normal', 'Issuing', 'The certificate has been successfully issued');
      } else {
        times = timesFromSecret(secret!, (certificate.spec ?? {}) as CertificateSpec, previous);
      }
      status = {
        ...previous,
        conditions: withCondition(previous.conditions, { type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', observedGeneration: generation }),
        ...times,
        revision: revision || 1,
      };
      delete status.lastFailureTime;
    } catch (error) {
      if (isConflictOrGone(error)) {
        certificateQueue.add(key);
        return;
      }
      const reason = error instanceof CertificateNotIssued ? error.reason : 'Failed';
      const message = error instanceof Error ? error.message : String(error);
      if (!(error instanceof CertificateNotIssued)) log(`cert-manager: ${key}: ${message}`);
      if ((previous.conditions ?? []).find((c) => c.type === 'Ready')?.message !== message) event(certificate, 'Warning', reason, message);
      status = {
        ...previous,
        conditions: withCondition(previous.conditions, { type: 'Ready', status: 'False', reason, message, observedGeneration: generation }),
      };
    }
    if (sameJson(status, certificate.status)) return;
    try {
      store.updateStatus(CERTIFICATES, { ...certificate, status });
    } catch (error) {
      if (!isConflictOrGone(error)) throw error;
      certificateQueue.add(key);
    }
  }

  function timesFromSecret(secret: KubeObject, spec: CertificateSpec, previous: Record<string, unknown>): { notBefore: string; notAfter: string; renewalTime: string } {
    if (typeof previous.notAfter === 'string' && typeof previous.notBefore === 'string' && typeof previous.renewalTime === 'string') {
      return { notBefore: previous.notBefore, notAfter: previous.notAfter, renewalTime: previous.renewalTime };
    }
    const cert = new crypto.X509Certificate(Buffer.from((secret.data as Record<string, string>)['tls.crt']!, 'base64'));
    const notBefore = new Date(cert.validFrom);
    const notAfter = new Date(cert.validTo);
    const total = notAfter.getTime() - notBefore.getTime();
    const renewBefore = spec.renewBefore ? parseGoDuration(spec.renewBefore) : total / 3;
    const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { notBefore: iso(notBefore), notAfter: iso(notAfter), renewalTime: iso(new Date(notAfter.getTime() - renewBefore)) };
  }

  return [
    { name: 'cert-manager issuers', idle: () => issuerQueue.idle(), stop: () => issuerQueue.stop() },
    {
      name: 'cert-manager certificates',
      idle: () => certificateQueue.idle(),
      stop() {
        unwatch.forEach((u) => u());
        certificateQueue.stop();
      },
    },
  ];
}
