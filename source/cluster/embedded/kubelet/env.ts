// A container's environment as the kubelet resolves it: literal values,
// fieldRef (metadata.name/namespace/uid, status.podIP, spec.nodeName, labels
// and annotations), secretKeyRef, configMapKeyRef, envFrom, and $(VAR)
// expansion in later values and in command/args.
import type { KubeObject, Store } from '../store/store-types.js';
import { CONFIGMAPS, SECRETS } from '../controllers/resource-keys.js';

export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}
interface EnvFrom { prefix?: string; secretRef?: { name: string; optional?: boolean }; configMapRef?: { name: string; optional?: boolean } }
export interface ContainerEnvSpec { name: string; image?: string; env?: EnvVar[]; envFrom?: EnvFrom[] }

/** Expands $(VAR) from `vars`; $$ escapes; unknown references stay as written (Kubernetes semantics). */
export function expandReferences(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && Object.hasOwn(vars, name) ? vars[name]! : match;
  });
}

function fieldValue(pod: KubeObject, podIP: string, fieldPath: string): string {
  const labels = /^metadata\.labels\['(.+)'\]$/.exec(fieldPath);
  if (labels) return pod.metadata.labels?.[labels[1]!] ?? '';
  const annotations = /^metadata\.annotations\['(.+)'\]$/.exec(fieldPath);
  if (annotations) return pod.metadata.annotations?.[annotations[1]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name;
    case 'metadata.namespace': return pod.metadata.namespace ?? 'default';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'status.podIP': return podIP;
    case 'status.podIPs': return podIP;
    case 'status.hostIP': return '127.0.0.1';
    case 'spec.nodeName': return String((pod.spec as { nodeName?: string } | undefined)?.nodeName ?? 'agw-workshop');
    case 'spec.serviceAccountName': return String((pod.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? 'default');
    default: throw new ContainerConfigError(`fieldRef "${fieldPath}" is not supported`);
  }
}

function decodeSecretValue(secret: KubeObject, key: string): string | undefined {
  const data = secret.data as Record<string, string> | undefined;
  if (data && Object.hasOwn(data, key)) return Buffer.from(data[key]!, 'base64').toString('utf8');
  const stringData = secret.stringData as Record<string, string> | undefined;
  return stringData?.[key];
}

export function resolveEnv(store: Store, pod: KubeObject, container: ContainerEnvSpec, podIP: string): Record<string, string> {
  const namespace = pod.metadata.namespace ?? 'default';
  const out: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.secretRef) {
      const secret = store.get(SECRETS, namespace, from.secretRef.name);
      if (!secret) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const key of Object.keys((secret.data as object | undefined) ?? {})) out[prefix + key] = decodeSecretValue(secret, key) ?? '';
    }
    if (from.configMapRef) {
      const map = store.get(CONFIGMAPS, namespace, from.configMapRef.name);
      if (!map) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [key, value] of Object.entries((map.data as Record<string, string> | undefined) ?? {})) out[prefix + key] = value;
    }
  }
  for (const variable of container.env ?? []) {
    const source = variable.valueFrom;
    if (!source) {
      out[variable.name] = expandReferences(variable.value ?? '', out);
    } else if (source.fieldRef) {
      out[variable.name] = fieldValue(pod, podIP, source.fieldRef.fieldPath);
    } else if (source.secretKeyRef) {
      const ref = source.secretKeyRef;
      const secret = store.get(SECRETS, namespace, ref.name);
      const value = secret && decodeSecretValue(secret, ref.key);
      if (value === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(secret ? `couldn't find key ${ref.key} in Secret ${namespace}/${ref.name}` : `secret "${ref.name}" not found`);
      }
      out[variable.name] = value;
    } else if (source.configMapKeyRef) {
      const ref = source.configMapKeyRef;
      const map = store.get(CONFIGMAPS, namespace, ref.name);
      const value = (map?.data as Record<string, string> | undefined)?.[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(map ? `couldn't find key ${ref.key} in ConfigMap ${namespace}/${ref.name}` : `configmap "${ref.name}" not found`);
      }
      out[variable.name] = value;
    }
  }
  return out;
}
