// Failure modes of the second hop, gateway → backend, when the gateway
// originates TLS (BackendTLSPolicy) and presents a client certificate
// (Gateway spec.tls.backend.clientCertificateRef). The client's own hop
// worked: the gateway answered it with a status of its own making, flagged
// UF (as in Envoy: the TLS handshake to the backend failed; the body says
// how) or IB (the backend reference cannot be used, so nothing was sent). The body the gateway sends is the
// reason its access log writes (error= / message=). Facts: RFC 8446 §4.4.2.4
// and §6.2 (certificate_required, 116), RFC 6125 (name checks).
import type { ProbeResult } from '../probe/types.js';
import { header, hostHeader } from './facts.js';
import type { FailureMode } from './types.js';

const flagsOf = (r: ProbeResult): string[] => (r.http?.responseFlags ?? header(r, 'x-agw-response-flags') ?? '').split(/[,\s]+/).filter(Boolean);
const bodyOf = (r: ProbeResult): string => (r.http?.body ?? '').trim();

/** The gateway answered, itself, because the TLS handshake to the backend failed. */
const upstreamTls = (r: ProbeResult, pattern: RegExp) =>
  r.outcome === 'established' && r.http?.status === 503 && flagsOf(r).includes('UF') && /^upstream TLS error: /.test(bodyOf(r)) && pattern.test(bodyOf(r));

/** The gateway answered, itself, without contacting the backend: its reference is unusable. */
const invalidBackend = (r: ProbeResult, pattern: RegExp) =>
  r.outcome === 'established' && r.http?.status === 500 && flagsOf(r).includes('IB') && pattern.test(bodyOf(r));

/** "client → gateway: fine", with what proves it. */
function firstHop(r: ProbeResult): string {
  return `Hop 1, client → gateway, worked: the gateway took the request for Host ${hostHeader(r)} and answered it itself (HTTP ${r.http?.status}, x-agw-response-flags: ${flagsOf(r).join(',')}).`;
}

/** The reason the gateway gave, as its access log line carries it. */
function reason(r: ProbeResult): string {
  const text = bodyOf(r).replace(/^upstream TLS error: /, '');
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

export const upstreamTlsFailureModes: FailureMode[] = [
  {
    id: 'backend-client-certificate-required',
    title: 'The backend wants a client certificate and the gateway sent none',
    matches: (r) => upstreamTls(r, /CERTIFICATE_REQUIRED|certificate required|alert number 116/i),
    explain: (r) => ({
      cause: `${firstHop(r)} Hop 2, gateway → backend, failed: the backend asked for a client certificate (CertificateRequest), the gateway had none to send, and the backend ended the handshake with the certificate_required alert (116). In TLS 1.3 that alert arrives after the gateway's side of the handshake is done, so the gateway sees it on its first read. The gateway logged flags=UF error="${reason(r)}"; the backend's log says it refused a handshake without a client certificate (OpenSSL's words: "peer did not return a certificate").`,
      fix: "give the Gateway a client certificate the backend trusts: spec.tls.backend.clientCertificateRef naming a kubernetes.io/tls Secret (kubectl get gateway -o yaml; the Gateway's ResolvedRefs condition says whether it resolved)",
    }),
  },
  {
    id: 'backend-client-certificate-rejected',
    title: "The backend refused the gateway's client certificate",
    matches: (r) => upstreamTls(r, /ALERT_UNKNOWN_CA|ALERT_BAD_CERTIFICATE|ALERT_CERTIFICATE_EXPIRED|ALERT_CERTIFICATE_UNKNOWN|alert unknown ca|alert bad certificate/i),
    explain: (r) => ({
      cause: `${firstHop(r)} Hop 2, gateway → backend, failed: the gateway presented its client certificate and the backend rejected it with an alert (${reason(r)}): it does not trust the CA that signed it, or the certificate is expired or not for client auth.`,
      fix: "issue the Gateway's client certificate from a CA the backend trusts (the backend's client-CA bundle), with usage client auth",
    }),
  },
  {
    id: 'backend-certificate-untrusted',
    title: "The gateway does not trust the backend's certificate",
    matches: (r) => upstreamTls(r, /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_SIGNATURE_FAILURE|certificate verify failed/i),
    explain: (r) => ({
      cause: `${firstHop(r)} Hop 2, gateway → backend, failed: the backend sent its certificate chain and the gateway could not verify it against the CA of the BackendTLSPolicy's caCertificateRefs (${reason(r)}). The gateway closed the connection before sending the request, so the backend saw a handshake cut short (a reset), never a request.${/SELF_SIGNED_CERT_IN_CHAIN/.test(bodyOf(r)) ? ' SELF_SIGNED_CERT_IN_CHAIN: the backend sent its root CA too, and that root is not the one the policy trusts.' : ''}`,
      fix: "point the BackendTLSPolicy's validation.caCertificateRefs at a ConfigMap whose ca.crt is the CA that issued the backend's certificate (compare kubectl get configmap -o yaml with the ca.crt of the backend's Secret)",
    }),
  },
  {
    id: 'backend-name-mismatch',
    title: "The backend's certificate does not carry the policy's hostname",
    matches: (r) => upstreamTls(r, /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate|match none of/i),
    explain: (r) => ({
      cause: `${firstHop(r)} Hop 2, gateway → backend, failed: the certificate verified against the CA, but the gateway sent the BackendTLSPolicy's validation.hostname as SNI and checks that same name against the certificate's subjectAltNames, and it is not there (${reason(r)}). The request was never sent; the backend saw only a reset.`,
      fix: "set validation.hostname to a name in the backend certificate's dnsNames (or list the right names in validation.subjectAltNames)",
    }),
  },
  {
    id: 'backend-tls-policy-unresolved',
    title: 'The BackendTLSPolicy cannot be applied: the gateway refuses to go out unverified',
    matches: (r) => invalidBackend(r, /BackendTLSPolicy /),
    explain: (r) => ({
      cause: `${firstHop(r)} Hop 2, gateway → backend, was never attempted: ${reason(r)}. A policy whose CA cannot be loaded makes its backend fail closed (500, flags=IB) rather than be reached in plaintext or without verification; the policy's status says so (Accepted=False NoValidCACertificate, ResolvedRefs=False InvalidCACertificateRef).`,
      fix: 'create the ConfigMap the policy names, with the CA under the key ca.crt (kubectl create configmap NAME --from-file=ca.crt=ca.crt), or fix the name in caCertificateRefs',
    }),
  },
  {
    id: 'gateway-client-certificate-unresolved',
    title: "The Gateway's client certificate Secret cannot be found",
    matches: (r) => invalidBackend(r, /clientCertificateRef/),
    explain: (r) => ({
      cause: `${firstHop(r)} Hop 2, gateway → backend, was never attempted: ${reason(r)}. The Gateway was told to present that certificate to its TLS backends; without it the gateway fails closed (500, flags=IB) rather than connect without the certificate it was configured with. The Gateway's status says ResolvedRefs=False, reason InvalidClientCertificateRef.`,
      fix: 'create the kubernetes.io/tls Secret that spec.tls.backend.clientCertificateRef names (cert-manager writes it from a Certificate), or fix the name',
    }),
  },
];
