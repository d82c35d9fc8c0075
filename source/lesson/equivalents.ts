// The commands a learner can type in another terminal to get the same result
// as a step: openssl for certificates, kubectl for objects, curl for probes.
import path from 'node:path';
import type { ProbeRequest } from '../probe/types.js';
import type { KubeObject } from '../cluster/client.js';
import type { CertificateSpec, WaitStep } from './types.js';
import { doubleQuote, shellQuote } from './shell-quote.js';

function bits(keyType: CertificateSpec['keyType']): string {
  return `rsa:${keyType.slice(3)}`;
}

function sanExt(spec: CertificateSpec): string {
  return spec.subjectAltNames.map((n) => (n.startsWith('IP:') || n.startsWith('DNS:') || n.startsWith('URI:') ? n : /^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
}

/** openssl commands run from the work directory, shaped like the lab texts' own. */
export function opensslCommands(certs: CertificateSpec[], workDir: string): string[] {
  const out = [`mkdir -p ${doubleQuote(workDir)} && cd ${doubleQuote(workDir)}`];
  for (const c of certs) {
    const extensions: string[] = [];
    if (c.subjectAltNames.length) extensions.push(`-addext ${doubleQuote(`subjectAltName=${sanExt(c)}`)}`);
    if (c.usage === 'client') extensions.push(`-addext ${doubleQuote('extendedKeyUsage=clientAuth')}`);
    if (!c.signer) {
      out.push(
        [
          'openssl req -x509 -sha256 -nodes',
          `-days ${c.validityDays}`,
          `-newkey ${bits(c.keyType)}`,
          `-subj '${c.subject.replace(/'/g, "'\\''")}'`,
          ...extensions,
          `-keyout ${c.name}.key -out ${c.name}.crt`,
        ].join(' '),
      );
      continue;
    }
    out.push([`openssl req -out ${c.name}.csr -newkey ${bits(c.keyType)} -nodes -keyout ${c.name}.key`, `-subj ${doubleQuote(c.subject)}`, ...extensions].join(' '));
    out.push(
      [
        `openssl x509 -req -sha256 -days ${c.validityDays}`,
        `-CA ${c.signer}.crt -CAkey ${c.signer}.key`,
        c.serial !== undefined ? `-set_serial ${c.serial}` : '',
        `-in ${c.name}.csr -out ${c.name}.crt`,
        extensions.length ? '-copy_extensions copy' : '',
      ]
        .filter(Boolean)
        .join(' '),
    );
  }
  return out;
}

export function kubectlApply(kubectl: string, yamlText: string): string {
  return `${kubectl} apply -f - <<'EOF'\n${yamlText.trimEnd()}\nEOF`;
}

export function kubectlDelete(kubectl: string, object: { kind: string; name: string; namespace?: string }): string {
  return `${kubectl} delete ${object.kind.toLowerCase()}${object.namespace ? ` -n ${object.namespace}` : ''} ${object.name} --ignore-not-found`;
}

export function kubectlCreateTlsSecret(kubectl: string, namespace: string, name: string, keyFile: string, certFile: string): string {
  return `${kubectl} create -n ${namespace} secret tls ${name} --key=${shellQuote(keyFile)} --cert=${shellQuote(certFile)}`;
}

export function kubectlCreateCaConfigMap(kubectl: string, namespace: string, name: string, certFile: string): string {
  return `${kubectl} create -n ${namespace} configmap ${name} --from-file=ca.crt=${shellQuote(certFile)}`;
}

export function kubectlWait(kubectl: string, step: WaitStep, namespace: string | undefined): string {
  const ref = `${step.object.kind.toLowerCase()}/${step.object.name}`;
  const ns = namespace ? ` -n ${namespace}` : '';
  const timeout = ` --timeout=${step.timeoutSeconds}s`;
  if (/route$/i.test(step.object.kind)) {
    // kubectl wait --for=condition reads status.conditions only; a route's conditions are per parent.
    const field = step.condition.reason ? 'reason' : 'status';
    const value = step.condition.reason ?? step.condition.status;
    return `${kubectl} wait${ns} ${ref} --for=jsonpath='{.status.parents[0].conditions[?(@.type=="${step.condition.type}")].${field}}'=${value}${timeout}`;
  }
  const cond = step.condition.status === 'True' ? step.condition.type : `${step.condition.type}=${step.condition.status}`;
  return `${kubectl} wait${ns} ${ref} --for=condition=${cond}${timeout}`;
}

export function kubectlGetYaml(kubectl: string, object: { kind: string; name: string; namespace?: string }): string {
  return `${kubectl} get ${object.kind.toLowerCase()}${object.namespace ? ` -n ${object.namespace}` : ''} ${object.name} -o yaml`;
}

export function gatewayAddressCommand(kubectl: string, namespace: string, gateway: string): string {
  return `export GATEWAY_IP=$(${kubectl} get svc -n ${namespace} --selector=gateway.networking.k8s.io/gateway-name=${gateway} -o jsonpath='{.items[*].status.loadBalancer.ingress[0].ip}{.items[*].status.loadBalancer.ingress[0].hostname}')`;
}

/** curl with the same request the probe sends. */
export function curlCommand(request: ProbeRequest): string {
  const parts = ['curl -v'];
  let url = request.url;
  const resolve = [...(request.resolve ?? [])];
  const headers = [...(request.headers ?? [])];
  if (typeof request.sni === 'string') {
    // curl takes SNI from the URL host: send to the SNI name, keep the Host header of the original URL.
    const parsed = new URL(request.url);
    if (parsed.hostname !== request.sni) {
      const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
      const addr = resolve.find((r) => r.startsWith(`${parsed.hostname}:${port}:`))?.split(':').slice(2).join(':');
      if (addr) resolve.push(`${request.sni}:${port}:${addr}`);
      if (!headers.some(([k]) => k.toLowerCase() === 'host')) headers.push(['Host', parsed.host]);
      parsed.hostname = request.sni;
      url = parsed.toString();
    }
  }
  if (request.insecure) parts.push('-k');
  for (const r of resolve) parts.push(`--resolve ${shellQuote(r)}`);
  for (const c of request.connectTo ?? []) parts.push(`--connect-to ${shellQuote(c)}`);
  if (request.caFile) parts.push(`--cacert ${shellQuote(request.caFile)}`);
  if (request.certFile) parts.push(`--cert ${shellQuote(request.certFile)}`);
  if (request.keyFile) parts.push(`--key ${shellQuote(request.keyFile)}`);
  if (request.httpVersion === '1.1' || (request.alpn && !request.alpn.includes('h2'))) parts.push('--http1.1');
  if (request.tlsMinVersion === 'TLSv1.3') parts.push('--tlsv1.3');
  if (request.tlsMaxVersion) parts.push(`--tls-max ${request.tlsMaxVersion.slice(4)}`);
  if (request.method && !(request.method === 'POST' && request.body !== undefined) && request.method !== 'GET') parts.push(`-X ${request.method}`);
  for (const [k, v] of headers) parts.push(`-H ${shellQuote(`${k}: ${v}`)}`);
  if (request.body !== undefined) parts.push(`-d ${shellQuote(request.body)}`);
  if (request.maxTimeMs) parts.push(`--max-time ${Math.ceil(request.maxTimeMs / 1000)}`);
  parts.push(shellQuote(url));
  return parts.join(' ');
}

export function objectLabel(o: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return `${o.kind.toLowerCase()}/${o.metadata.name}${o.metadata.namespace ? ` -n ${o.metadata.namespace}` : ''}`;
}

export function fileLabel(file: string, workDir: string): string {
  const rel = path.relative(workDir, file);
  return rel.startsWith('..') ? file : rel;
}
