// A ProbeResult as a short, readable summary: what was sent, what came back at
// the record level, the certificate, the HTTP answer. Pure: the result is data.
import type { ProbeResult } from '../../probe/types.js';
import { describeJwt, sentJwt } from '../../probe/jwt-view.js';
import { type Line, type Segment, wrapLine } from './lines.js';

// Partial: an outcome added to the probe later still renders (by its name).
const outcomeText: Partial<Record<ProbeResult['outcome'], string>> = {
  established: 'TLS established and an HTTP answer came back',
  'closed-after-client-hello': 'the server closed the connection right after the ClientHello (nothing sent back)',
  'reset-after-client-hello': 'the server reset the connection right after the ClientHello',
  alert: 'the server answered with a TLS alert',
  'verification-failed': 'the client rejected the server certificate',
  'client-certificate-required': 'the server required a client certificate and none was sent',
  'client-certificate-rejected': 'the server rejected the client certificate',
  'not-tls': 'the server answered with something that is not TLS',
  refused: 'connection refused',
  timeout: 'timed out',
  'http-error': 'TLS was fine, the HTTP exchange failed',
  'dns-failure': 'the name did not resolve',
  'local-error': 'the probe could not load its own files (certificate, key or CA)',
};

function row(label: string, value: Segment[], width: number): Line[] {
  return wrapLine([{ text: label.padEnd(12), role: 'dim' }, ...value], width, [{ text: ' '.repeat(12) }]);
}

export function probeSummaryLines(result: ProbeResult, width: number): Line[] {
  const out: Line[] = [];
  const good = result.outcome === 'established';
  const plainHttp = result.request.url.startsWith('http:');
  // No ✔/✘ here: a failure can be exactly what the lesson expects; the verdicts judge.
  const said = plainHttp && good ? 'connected (plain HTTP, no TLS) and an HTTP answer came back' : (outcomeText[result.outcome] ?? result.outcome);
  out.push(...row('Outcome', [{ text: said, role: good ? 'ok' : 'fail' }], width));
  if (result.error) out.push(...row('Error', [{ text: result.error }], width));
  if (result.connect) out.push(...row('Connected', [{ text: `${result.connect.address}:${result.connect.port} in ${result.connect.ms.toFixed(1)} ms` }], width));
  if (result.clientHello) {
    const hello = result.clientHello;
    out.push(...row('Sent SNI', [{ text: hello.sni ?? '(none)', role: 'code' }, { text: `  ALPN ${hello.alpn.length ? hello.alpn.join(', ') : '(none)'}`, role: 'dim' }], width));
  }
  const jwt = sentJwt(result.request);
  if (jwt) {
    // What the token says, beside what the gateway made of it; never its signature.
    const shown = describeJwt(jwt);
    out.push(...row('JWT header', [{ text: shown.header, role: 'code' }], width));
    out.push(...row('JWT claims', [{ text: shown.claims, role: 'code' }], width));
    out.push(...row('Signature', [{ text: shown.signature, role: 'dim' }], width));
  }
  if (result.records.length) {
    out.push([{ text: 'Handshake', role: 'dim' }]);
    for (const record of result.records) {
      const arrow = record.direction === 'out' ? '→' : '←';
      const text: Segment[] = [
        { text: `  ${arrow} `, role: record.direction === 'out' ? 'accent' : 'key' },
        { text: record.what, role: /EOF|RST|Alert/.test(record.what) ? 'fail' : 'bold' },
      ];
      if (record.detail) text.push({ text: ` ${record.detail}` });
      text.push({ text: `  ${record.atMs.toFixed(1)} ms`, role: 'dim' });
      out.push(...wrapLine(text, width, [{ text: '      ' }]));
    }
  }
  const tls = result.tls;
  if (tls) {
    if (tls.version) {
      const alpn = tls.alpn ? tls.alpn : '(none)';
      out.push(...row('TLS', [{ text: `${tls.version} ${tls.cipher ?? ''}`.trim() }, { text: `  ALPN ${alpn}${tls.resumed ? '  resumed' : ''}`, role: 'dim' }], width));
    }
    if (tls.alert) out.push(...row('Alert', [{ text: `${tls.alert.level} ${tls.alert.description} (${tls.alert.code}) ${tls.alert.direction === 'in' ? 'from the server' : 'from the client'}`, role: 'fail' }], width));
    const leaf = tls.peerChain[0];
    if (leaf) {
      out.push(...row('Subject', [{ text: leaf.subject, role: 'bold' }], width));
      out.push(...row('Issuer', [{ text: leaf.issuer }], width));
      if (leaf.subjectAltNames.length) out.push(...row('SANs', [{ text: leaf.subjectAltNames.join(', ') }], width));
      const v = tls.verification;
      const verdict = v.trusted && v.nameMatched && !v.expired;
      out.push(
        ...row('Verified', [{ text: verdict ? '✔ trusted, name matches' : `✘ ${v.reason ?? v.errorCode ?? 'not trusted'}`, role: verdict ? 'ok' : 'fail' }], width),
      );
    }
    if (tls.clientCertificate.requested || tls.clientCertificate.sent) {
      out.push(...row('Client cert', [{ text: `requested: ${tls.clientCertificate.requested ? 'yes' : 'no'}, sent: ${tls.clientCertificate.sent ? 'yes' : 'no'}` }], width));
    }
  }
  const reachedTls = !plainHttp && !['refused', 'timeout', 'dns-failure', 'local-error'].includes(result.outcome);
  if (reachedTls && !tls?.peerChain.length) out.push(...row('Certificate', [{ text: 'none received', role: 'fail' }], width));
  if (result.http) {
    const ok = result.http.status < 400;
    out.push(...row('HTTP', [{ text: `${result.http.status}`, role: ok ? 'ok' : 'fail' }, { text: `  HTTP/${result.http.version}`, role: 'dim' }], width));
    const body = result.http.body.replace(/\s+/g, ' ').trim().slice(0, 160);
    if (body) out.push(...row('Body', [{ text: body + (result.http.bodyTruncated || result.http.body.length > 160 ? '…' : ''), role: 'dim' }], width));
  }
  out.push(...row('Time', [{ text: `${result.timings.totalMs.toFixed(1)} ms total`, role: 'dim' }], width));
  return out;
}
