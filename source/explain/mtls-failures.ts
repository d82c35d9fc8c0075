// Client-certificate (mTLS) failures as a gateway that validates client
// certificates produces them, told with their timing. In TLS 1.3 the client
// sends Certificate, CertificateVerify and Finished in one flight and then
// considers the handshake done (RFC 8446 §4.4.4); the server judges the
// certificate only after that, so its alert reaches a client that has already
// "connected" (curl: exit 56 on the read, not 35 in the handshake). In TLS 1.2
// the server's Finished comes last, so the same alert ends the handshake.
// Facts: RFC 8446 §4.4.2.4 (certificate_required), §6.2; OpenSSL's
// ssl_verify_alarm_type (which alert for which verification error).
import type { ProbeResult } from '../probe/types.js';
import type { FailureMode } from './types.js';
import { hostOf, portOf, sniOf } from './facts.js';

/** When the client's Finished went out and when the alert came in, from the probe's record timeline. */
function timeline(r: ProbeResult): string {
  const finished = r.records.find((e) => e.direction === 'out' && e.what === 'Finished');
  const alert = r.records.find((e) => e.direction === 'in' && e.what === 'Alert');
  if (!finished || !alert) return '';
  return ` (here: the client's Finished at ${finished.atMs.toFixed(1)} ms, the alert at ${alert.atMs.toFixed(1)} ms)`;
}

const where = (r: ProbeResult) => `${sniOf(r) ?? hostOf(r)}:${portOf(r)}`;

const tls13Timing = (r: ProbeResult) =>
  `In TLS 1.3 the client sends its Certificate (here ${r.tls?.clientCertificate.sent ? 'one' : 'an empty one'}) and its Finished in one flight and from then on considers the handshake done: curl prints "SSL connection using TLSv1.3" and sends the request. The server checks the certificate only when that flight arrives, so its fatal alert comes after${timeline(r)} and is read where the response was expected (curl exit ${r.curlExitCode}, not 35).`;

export const mtlsFailureModes: FailureMode[] = [
  {
    id: 'mtls-certificate-required-after-handshake',
    title: 'No client certificate: certificate_required, after the handshake looked finished',
    matches: (r) => r.outcome === 'client-certificate-required' && r.tls?.version === 'TLSv1.3' && r.tls.alert?.code === 116,
    explain: (r) => ({
      cause: `${where(r)} asked for a client certificate (CertificateRequest) and the probe had none to send. The server answered certificate_required (116). ${tls13Timing(r)}`,
      fix: 'send a certificate signed by a CA the server trusts: curl --cert client.crt --key client.key (Terminate: a CA in the Gateway\'s spec.tls.frontend caCertificateRefs; Passthrough: the backend\'s own CA list)',
    }),
  },
  {
    id: 'mtls-unknown-ca',
    title: 'The client certificate comes from a CA the server does not trust: unknown_ca',
    matches: (r) => r.outcome === 'client-certificate-rejected' && r.tls?.alert?.code === 48,
    explain: (r) => {
      const cert = r.tls?.clientCertificate;
      const tls13 = r.tls?.version === 'TLSv1.3';
      return {
        cause: `${where(r)} checked the client certificate ${cert?.subject ?? ''} against its trusted CAs and found none that issued it${cert?.issuer ? ` (its issuer is ${cert.issuer})` : ''}: unknown_ca (48), as OpenSSL and BoringSSL servers answer. The subject alone proves nothing; only the signature chain does. ${tls13 ? tls13Timing(r) : `In TLS 1.2 the server's Finished comes after the client's, so the alert ends the handshake (curl exit ${r.curlExitCode}).`}`,
        fix: "use a client certificate issued by the CA the server trusts, or add its CA to the trusted list (Terminate: a ConfigMap in spec.tls.frontend caCertificateRefs)",
      };
    },
  },
  {
    id: 'mtls-certificate-expired',
    title: 'The client certificate has expired: certificate_expired',
    matches: (r) => r.outcome === 'client-certificate-rejected' && r.tls?.alert?.code === 45,
    explain: (r) => ({
      cause: `${where(r)} found the client certificate ${r.tls?.clientCertificate.subject ?? ''} outside its validity period: certificate_expired (45).${r.tls?.version === 'TLSv1.3' ? ` ${tls13Timing(r)}` : ''}`,
      fix: 'issue a new client certificate from the same CA (openssl x509 -req -days …)',
    }),
  },
];
