// The commands a learner can type in another terminal to get the same result
// as a step: openssl for certificates, kubectl for objects, curl for probes.
import path from 'node:path';
import type { KubeObject } from '../cluster/client.js';
import type { CertificateSpec, WaitStep } from './types.js';
import { doubleQuote, shellQuote } from '../probe/shell-quote.js';

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

/** The lab texts' way to make an Opaque Secret; `${VAR}` in a literal stays a shell variable (its value is never printed). */
export function kubectlCreateGenericSecret(kubectl: string, namespace: string, name: string, literals: [string, string][]): string {
  const from = literals.map(([key, value]) => `--from-literal=${doubleQuote(`${key}=${value}`).replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, '$$$1')}`);
  return `${kubectl} create secret generic ${name} -n ${namespace} ${from.join(' ')} --dry-run=client -o yaml | ${kubectl} apply -f -`;
}

export function kubectlWait(kubectl: string, step: WaitStep, namespace: string | undefined): string {
  const ref = `${step.object.kind.toLowerCase()}/${step.object.name}`;
  const ns = namespace ? ` -n ${namespace}` : '';
  const timeout = ` --timeout=${step.timeoutSeconds}s`;
  const perParent = /route$/i.test(step.object.kind) ? 'parents' : /policy$/i.test(step.object.kind) ? 'ancestors' : undefined;
  if (perParent) {
    // kubectl wait --for=condition reads status.conditions only; route and policy conditions are per parent (ancestor).
    const field = step.condition.reason ? 'reason' : 'status';
    const value = step.condition.reason ?? step.condition.status;
    return `${kubectl} wait${ns} ${ref} --for=jsonpath='{.status.${perParent}[0].conditions[?(@.type=="${step.condition.type}")].${field}}'=${value}${timeout}`;
  }
  const cond = step.condition.status === 'True' ? step.condition.type : `${step.condition.type}=${step.condition.status}`;
  return `${kubectl} wait${ns} ${ref} --for=condition=${cond}${timeout}`;
}

/** The report's restart: delete the pods, then wait for their replacement to be ready. */
export function kubectlRestartPods(kubectl: string, namespace: string, selector: string, timeoutSeconds: number): string[] {
  return [
    `${kubectl} delete pod -n ${namespace} -l ${selector} --wait=true`,
    `${kubectl} wait --for=condition=ready pod -n ${namespace} -l ${selector} --timeout=${timeoutSeconds}s`,
  ];
}

export function kubectlGetYaml(kubectl: string, object: { kind: string; name: string; namespace?: string }): string {
  return `${kubectl} get ${object.kind.toLowerCase()}${object.namespace ? ` -n ${object.namespace}` : ''} ${object.name} -o yaml`;
}

export function gatewayAddressCommand(kubectl: string, namespace: string, gateway: string): string {
  return `export GATEWAY_IP=$(${kubectl} get svc -n ${namespace} --selector=gateway.networking.k8s.io/gateway-name=${gateway} -o jsonpath='{.items[*].status.loadBalancer.ingress[0].ip}{.items[*].status.loadBalancer.ingress[0].hostname}')`;
}

export function objectLabel(o: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return `${o.kind.toLowerCase()}/${o.metadata.name}${o.metadata.namespace ? ` -n ${o.metadata.namespace}` : ''}`;
}

export function fileLabel(file: string, workDir: string): string {
  const rel = path.relative(workDir, file);
  return rel.startsWith('..') ? file : rel;
}
