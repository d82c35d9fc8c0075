// A probe step's request as it is shown before it runs (the equivalent curl
// command, the TUI's lesson view). Light on purpose: node:path only, so the
// TUI can import it on its first frame. The runner's own request
// (steps/probe.ts buildProbeRequest) is this one, with the SNI filled too and a time limit.
import path from 'node:path';
import type { ProbeRequest } from '../probe/types.js';
import type { ProbeSpec } from './types.js';

/** Variables filled by `fill`, the SNI as written, certificate names as the files steps/certs.ts writes in `workDir`. */
export function displayedProbeRequest(p: ProbeSpec, workDir: string, fill: (text: string) => string): ProbeRequest {
  const request: ProbeRequest = { url: fill(p.url) };
  if (p.resolve) request.resolve = p.resolve.map(fill);
  if (p.sni !== undefined) request.sni = p.sni;
  if (p.cacert) request.caFile = path.join(workDir, `${p.cacert}.crt`);
  if (p.clientCert) {
    request.certFile = path.join(workDir, `${p.clientCert}.crt`);
    request.keyFile = path.join(workDir, `${p.clientCert}.key`);
  }
  if (p.insecure) request.insecure = true;
  if (p.alpn) request.alpn = p.alpn;
  if (p.httpVersion) request.httpVersion = p.httpVersion;
  if (p.method) request.method = p.method;
  if (p.headers) request.headers = p.headers.map(([h, v]) => [h, fill(v)]);
  if (p.body !== undefined) request.body = fill(p.body);
  return request;
}
