// Failure modes of the connection and the handshake: what the probe saw,
// why it happens at a gateway, and what to change. Facts: RFC 8446 §4.4.2.4
// and §6, RFC 5246 §7.4.6, RFC 7301 §3.2, curl's exit codes.
import { DEFAULT_MAX_TIME_MS } from '../probe/defaults.js';
import type { FailureMode } from './types.js';
import { addressOf, hostOf, leafOf, portOf, sanList, serverSpoke, sniOf, trustSource } from './facts.js';

const closedBeforeAnyByte = (r: Parameters<FailureMode['matches']>[0]) =>
  (r.outcome === 'closed-after-client-hello' || r.outcome === 'reset-after-client-hello') && !serverSpoke(r);

export const tlsFailureModes: FailureMode[] = [
  {
    id: 'no-sni-no-listener',
    title: 'No SNI sent: the gateway closed the connection after the ClientHello',
    matches: (r) => closedBeforeAnyByte(r) && !sniOf(r),
    explain: (r) => {
      const how = r.outcome === 'reset-after-client-hello' ? 'reset' : 'closed';
      return {
        cause: `the ClientHello carried no SNI (a client sends none when the URL host is an IP address), and the server ${how} the connection before sending a certificate (no ServerHello, no alert; curl exit 35). Inferred, not seen: a gateway whose HTTPS listeners all have a hostname has no listener for a connection without a name; its access log says so for certain (a line without sni= and flags=NS)`,
        fix: 'put the hostname in the URL and pin its address with --resolve <host>:<port>:<address> (SNI, Host and the name check all come from the URL host), or add a listener without a hostname',
      };
    },
  },
  {
    id: 'sni-no-listener',
    title: 'No listener for this SNI: the gateway closed the connection after the ClientHello',
    matches: (r) => closedBeforeAnyByte(r),
    explain: (r) => {
      const sni = sniOf(r) ?? '(none)';
      const how = r.outcome === 'reset-after-client-hello' ? 'reset' : 'closed';
      return {
        // What the client saw is a fact; why is an inference (RFC 6066 §3 allows an unrecognized_name alert or a default certificate instead).
        cause: `the server ${how} the connection right after the ClientHello for SNI ${sni}, before sending a certificate (no ServerHello, no alert; curl exit 35). That is inferred, not seen: our gateway, like Envoy and agentgateway, does this when no listener's hostname matches the SNI, and its access log says so for certain (a line with sni=${sni} and flags=NS in the proxy pod's log). A server may instead answer an unknown name with an unrecognized_name alert or a default certificate (RFC 6066 §3), and any TCP service that ${how === 'reset' ? 'resets' : 'closes'} on a ClientHello looks the same from here`,
        fix: `use a name one of the Gateway's listeners serves (kubectl get gateway -o yaml: listeners[].hostname), or give ${sni} a listener: one with that hostname and a certificate for it, a wildcard hostname that covers it, or one without a hostname. A route's hostname alone never makes a listener`,
      };
    },
  },
  {
    id: 'closed-during-handshake',
    title: 'The server closed the connection in the middle of the handshake',
    matches: (r) => r.outcome === 'closed-after-client-hello' || r.outcome === 'reset-after-client-hello',
    explain: (r) => ({
      cause: `the server answered the ClientHello (SNI ${sniOf(r) ?? 'none'}) and then ${r.outcome === 'reset-after-client-hello' ? 'reset' : 'closed'} the connection without an alert, before the handshake finished`,
      fix: "look at the gateway's logs for this connection; a proxy in between (kube-proxy, a load balancer) or a crashed listener can do this",
    }),
  },
  {
    id: 'client-certificate-required',
    title: 'The gateway requires a client certificate',
    matches: (r) => r.outcome === 'client-certificate-required',
    explain: (r) => {
      const tls13 = r.tls?.version === 'TLSv1.3' || r.tls?.alert?.code === 116;
      const answer = r.tls?.alert ? `the ${r.tls.alert.description} (${r.tls.alert.code}) alert` : 'its close (no alert)';
      const when = tls13
        ? `In TLS 1.3 the client finishes its side of the handshake before the server checks its certificate, so the server's answer, ${answer}, arrives on the first read, after the request was sent (curl exit ${r.curlExitCode}, not 35).`
        : `In TLS 1.2 the server asked for a certificate (CertificateRequest) and the client, having none, answered with an empty Certificate message (RFC 5246 §7.4.6: the trace's (OUT) Certificate (11)); the server then aborted the handshake: ${answer} (curl exit 35).`;
      return {
        cause: `the listener for ${sniOf(r) ?? hostOf(r)} validates client certificates (mTLS) and the probe presented none. ${when}`,
        fix: "send a certificate with --cert client.crt --key client.key, signed by a CA in the Gateway's spec.tls.frontend validation caCertificateRefs (set for every port by default, or per port in perPort: not per listener)",
      };
    },
  },
  {
    id: 'client-certificate-rejected',
    title: 'The gateway rejected the client certificate',
    matches: (r) => r.outcome === 'client-certificate-rejected',
    explain: (r) => {
      const alert = r.tls?.alert;
      const subject = r.tls?.clientCertificate.subject ?? 'the client certificate';
      const issuer = r.tls?.clientCertificate.issuer;
      const reason = !alert
        ? `the server closed the connection right after receiving it, without an alert${issuer ? ` (its issuer is ${issuer}; is that CA among the ones the gateway trusts?)` : ''}`
        : alert.code === 48
          ? `the server does not trust the CA that signed it (unknown_ca, 48)${issuer ? `: its issuer is ${issuer}` : ''}`
          : alert.code === 45
            ? 'it has expired (certificate_expired, 45)'
            : alert.code === 44
              ? 'it was revoked (certificate_revoked, 44)'
              : `the server answered ${alert.description} (${alert.code})`;
      const tls13 = r.tls?.version === 'TLSv1.3';
      return {
        cause: `the gateway asked for a client certificate and rejected ${subject}: ${reason}.${tls13 ? ' In TLS 1.3 the rejection comes after the client considers the handshake done, on the first read or write (curl exit 52, 55 or 56 rather than 35).' : ''}`,
        fix: "use a client certificate signed by a CA listed in the Gateway's frontend validation caCertificateRefs, or add its CA there",
      };
    },
  },
  {
    id: 'resumed-session-other-name',
    title: 'A resumed TLS session brought the certificate of another name',
    matches: (r) => r.outcome === 'verification-failed' && Boolean(r.tls?.resumed) && r.tls?.verification.nameMatched === false,
    explain: (r) => ({
      cause: `the client offered a session from an earlier connection and the server resumed it, so no new certificate was sent: the session's certificate is for ${sanList(r)}, not ${sniOf(r) ?? hostOf(r)}. A client that caches sessions per TLS context rather than per SNI does this (Envoy's upstream cache did: envoyproxy/envoy issue 46243, fixed by PR 45982)`,
      fix: 'key the client session cache by SNI (or disable resumption), or make the server refuse to resume a session for a different SNI',
    }),
  },
  {
    id: 'expired',
    title: 'The server certificate has expired',
    matches: (r) => r.outcome === 'verification-failed' && (r.tls?.verification.errorCode === 'CERT_HAS_EXPIRED' || (r.tls?.verification.expired ?? false)),
    explain: (r) => ({
      cause: `the certificate ${leafOf(r)?.subject ?? ''} expired on ${leafOf(r)?.notAfter ?? 'an earlier date'}; curl refuses it (exit 60, "certificate has expired")`,
      fix: 'issue a new certificate and update the listener\'s Secret (kubectl create secret tls ... --dry-run=client -o yaml | kubectl apply -f -)',
    }),
  },
  {
    id: 'not-yet-valid',
    title: 'The server certificate is not valid yet',
    matches: (r) => r.outcome === 'verification-failed' && r.tls?.verification.errorCode === 'CERT_NOT_YET_VALID',
    explain: (r) => ({
      cause: `the certificate ${leafOf(r)?.subject ?? ''} is valid from ${leafOf(r)?.notBefore ?? 'a later date'}: it was issued with a future start date, or this machine's clock is behind`,
      fix: 'check the clock (date -u) and the certificate\'s notBefore; reissue it if the date is wrong',
    }),
  },
  {
    id: 'self-signed',
    title: 'The server certificate is self-signed and not trusted',
    matches: (r) => r.outcome === 'verification-failed' && r.tls?.verification.errorCode === 'DEPTH_ZERO_SELF_SIGNED_CERT',
    explain: (r) => ({
      cause: `the certificate ${leafOf(r)?.subject ?? ''} signs itself, and it is not in ${trustSource(r)}`,
      fix: 'pass that certificate as the CA with --cacert, issue the server certificate from a CA the client trusts, or use -k to look anyway',
    }),
  },
  {
    id: 'unknown-ca',
    title: 'The server certificate was issued by a CA the client does not trust',
    matches: (r) =>
      r.outcome === 'verification-failed' &&
      ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT'].includes(r.tls?.verification.errorCode ?? ''),
    explain: (r) => ({
      cause: `the certificate ${leafOf(r)?.subject ?? ''} was issued by ${leafOf(r)?.issuer ?? 'an unknown issuer'}, which is not in ${trustSource(r)} (${r.tls?.verification.reason ?? 'unable to get local issuer certificate'}; curl exit 60)`,
      fix: 'pass the CA that issued the gateway\'s certificate with --cacert (the CA file the lesson made, e.g. glootest.com.crt in the SNI lesson), or use -k to look without verifying',
    }),
  },
  {
    id: 'bad-certificate-signature',
    title: 'A signature in the server\'s chain does not verify',
    matches: (r) => r.outcome === 'verification-failed' && r.tls?.verification.errorCode === 'CERT_SIGNATURE_FAILURE',
    explain: (r) => ({
      cause: `the chain names a trusted issuer, but the signature on ${leafOf(r)?.subject ?? 'a certificate'} does not verify with that issuer's key: the certificate was altered, or signed by another key that carries the same CA name (curl: "certificate signature failure", exit 60)`,
      fix: 'reissue the certificate from the CA whose certificate you pass with --cacert; if two CAs share a name, give them distinct subjects',
    }),
  },
  {
    id: 'name-mismatch',
    title: "The certificate does not name the host you asked for",
    matches: (r) => r.outcome === 'verification-failed' && r.tls?.verification.nameMatched === false,
    explain: (r) => ({
      cause: `the gateway answered SNI ${sniOf(r) ?? '(none)'} with a certificate for ${sanList(r)}, which does not include ${sniOf(r) ?? hostOf(r)}: the listener that matched serves another name's certificate (a wildcard or catch-all listener), or the name is missing from the certificate's subjectAltName (curl exit 60)`,
      fix: 'add a listener with this hostname and its own certificate, or reissue the certificate with this name in its SANs',
    }),
  },
  {
    id: 'verification-failed',
    title: 'The server certificate did not verify',
    matches: (r) => r.outcome === 'verification-failed',
    explain: (r) => ({
      cause: `${r.tls?.verification.reason ?? 'the certificate did not verify'} (certificate ${leafOf(r)?.subject ?? 'unknown'}, issuer ${leafOf(r)?.issuer ?? 'unknown'})`,
      fix: 'check the chain the gateway sends and the CA bundle the client uses (--cacert)',
    }),
  },
  {
    id: 'alpn-mismatch',
    title: 'No common application protocol (ALPN)',
    matches: (r) => r.tls?.alert?.code === 120,
    explain: (r) => ({
      cause: `the client offered ALPN ${r.clientHello?.alpn.join(',') || 'none'} and the server supports none of them: it aborted with no_application_protocol (120, RFC 7301)`,
      fix: 'offer a protocol the listener speaks (e.g. drop --http1.1 for an h2-only listener), or enable HTTP/1.1 on the listener',
    }),
  },
  {
    id: 'protocol-version',
    title: 'No common TLS version',
    matches: (r) => r.tls?.alert?.code === 70,
    explain: (r) => ({
      cause: `the client offered ${r.clientHello?.versions.join(', ') || 'its versions'} and the server accepts none of them: it aborted with protocol_version (70)`,
      fix: 'allow a version both sides support (--tlsv1.2 / --tls-max), or change the listener\'s minimum TLS version',
    }),
  },
  {
    id: 'unrecognized-name',
    title: 'The server does not recognise the SNI name',
    matches: (r) => r.tls?.alert?.code === 112,
    explain: (r) => ({
      cause: `the server answered SNI ${sniOf(r) ?? '(none)'} with unrecognized_name (112): it serves no certificate for that name`,
      fix: 'use a hostname the server serves, or configure a certificate for this one',
    }),
  },
  {
    id: 'handshake-failure',
    title: 'The server aborted the handshake',
    matches: (r) => r.outcome === 'alert',
    explain: (r) => {
      const alert = r.tls?.alert;
      const name = alert ? `${alert.description} (${alert.code})` : 'an alert';
      const sent = alert?.direction === 'out' ? 'the client aborted the handshake with' : 'the server aborted the handshake with';
      return {
        cause: `${sent} ${name}${alert?.code === 40 ? ': the two sides could not agree on parameters (cipher suites, groups, signature algorithms)' : ''}`,
        fix: 'compare what the ClientHello offered with what the listener allows (TLS versions, cipher suites)',
      };
    },
  },
  {
    id: 'plain-http-on-tls-port',
    title: 'The port speaks plain HTTP, not TLS',
    matches: (r) => r.outcome === 'not-tls',
    explain: (r) => ({
      cause: `the probe sent a TLS ClientHello to ${addressOf(r)} and got plaintext back${r.notTlsPreview ? ` ("${r.notTlsPreview}")` : ''}: that port is an HTTP listener, not HTTPS (OpenSSL: wrong version number; curl exit 35)`,
      fix: `use http://${hostOf(r)}:${portOf(r)}/ for this port, or the gateway's HTTPS listener port`,
    }),
  },
  {
    id: 'refused',
    title: 'Connection refused: nothing listens there',
    matches: (r) => r.outcome === 'refused',
    explain: (r) => ({
      cause: `${addressOf(r)} refused the TCP connection (${r.error ?? 'connection refused'}): no process listens on that address and port (curl exit 7)`,
      fix: 'check the address (--resolve / the LoadBalancer IP), that the Gateway has a listener on that port and that its proxy pod is Ready',
    }),
  },
  {
    id: 'timeout',
    title: 'Timed out',
    matches: (r) => r.outcome === 'timeout',
    explain: (r) => {
      const stage = !r.connect
        ? 'before the TCP connection was established: the address does not answer (wrong IP, or packets dropped)'
        : r.request.url.startsWith('https:') && r.timings.tlsMs === undefined
          ? serverSpoke(r)
            ? `during the TLS handshake: the server answered the ClientHello (SNI ${sniOf(r) ?? 'none'}) and then went quiet`
            : `after the TCP connection: the server never answered the ClientHello (SNI ${sniOf(r) ?? 'none'}); it may not speak TLS on this port, or it waits for something else`
          : 'waiting for the HTTP answer: the gateway or its backend is slow or stuck';
      return { cause: `no answer within --max-time ${r.request.maxTimeMs ?? DEFAULT_MAX_TIME_MS} ms, ${stage} (curl exit 28)`, fix: 'check the address and port, and the gateway and backend logs; raise --max-time if the backend is just slow' };
    },
  },
  {
    id: 'dns-failure',
    title: 'The hostname does not resolve',
    matches: (r) => r.outcome === 'dns-failure',
    explain: (r) => ({
      cause: `${hostOf(r)} has no address in DNS (curl exit 6); lab hostnames such as *.glootest.com are not in public DNS`,
      fix: `pin the name to the gateway's address with --resolve ${hostOf(r)}:${portOf(r)}:<GATEWAY_IP>, as the lab does`,
    }),
  },
  {
    id: 'local-file',
    title: 'The probe could not load its own certificate files',
    matches: (r) => r.outcome === 'local-error',
    explain: (r) => ({
      cause: `${r.error ?? 'a local file could not be read'} (curl exit ${r.curlExitCode})`,
      fix: 'check the paths given to --cert/--key/--cacert and that the key matches the certificate',
    }),
  },
];
