// Manifests as the runner applies them: multi-document YAML with ${VAR}s
// filled in, each document checked to be a Kubernetes object.
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../cluster/client.js';
import { fillVariables, type Variables } from './variables.js';

export function renderManifest(yamlText: string, vars: Variables, file: string): string {
  return fillVariables(yamlText, vars, file);
}

export function parseManifest(text: string, file: string, defaultNamespace?: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if ('errors' in doc && doc.errors.length) throw new Error(`${file}: document ${i + 1}: ${doc.errors[0]!.message.split('\n')[0]}`);
    const value = doc.toJSON() as KubeObject | null;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || !value.apiVersion || !value.kind || !value.metadata?.name) {
      throw new Error(`${file}: document ${i + 1}: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
    }
    if (!value.metadata.namespace && defaultNamespace && isNamespaced(value.kind)) value.metadata.namespace = defaultNamespace;
    out.push(value);
  }
  return out;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'GatewayClass', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'ClusterIssuer']);

export function isNamespaced(kind: string): boolean {
  return !CLUSTER_SCOPED.has(kind);
}

/**
 * What a saved copy keeps: the object as a user wrote it. Everything the
 * server assigns is dropped — status, uid, resourceVersion, and the values a
 * Service is allocated (clusterIP(s), nodePorts, healthCheckNodePort, the
 * defaulted IP families) — so writing the copy back never asks the server to
 * change them (a clusterIP is immutable: a PUT carrying another cluster's
 * address is refused with 422). The server keeps what it allocated when an
 * update omits it, as kube-apiserver does.
 */
export function strippedForSave(object: KubeObject | Record<string, unknown>): Record<string, unknown> {
  const { status: _status, ...rest } = object as KubeObject;
  const m = (rest.metadata ?? {}) as Record<string, unknown>;
  const annotations = { ...((m.annotations as Record<string, string> | undefined) ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  const metadata: Record<string, unknown> = { name: m.name };
  if (m.namespace) metadata.namespace = m.namespace;
  if (m.labels) metadata.labels = m.labels;
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  const saved: Record<string, unknown> = { ...rest, metadata };
  if (rest.kind === 'Service' && rest.apiVersion === 'v1' && rest.spec && typeof rest.spec === 'object') saved.spec = withoutServiceAllocations(rest.spec as Record<string, unknown>);
  return saved;
}

/** A Service's spec without the values the API server allocates or defaults for it. */
function withoutServiceAllocations(spec: Record<string, unknown>): Record<string, unknown> {
  const { clusterIP: _ip, clusterIPs: _ips, healthCheckNodePort: _health, ipFamilies: _families, ipFamilyPolicy: _policy, ...rest } = spec;
  // A headless Service's "None" is the user's choice, not an allocation.
  if (spec.clusterIP === 'None') rest.clusterIP = 'None';
  if (Array.isArray(spec.ports)) {
    rest.ports = spec.ports.map((port) => {
      if (!port || typeof port !== 'object') return port;
      const { nodePort: _nodePort, ...kept } = port as Record<string, unknown>;
      return kept;
    });
  }
  return rest;
}
