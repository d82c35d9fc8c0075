// Lookups over one TranslateInput, built once per translation.
import type { KubeObject, TranslateInput } from './input-types.js';
import { asString, keyOf, labelsOf, nameOf, namespaceOf } from './fields.js';

function byKey(objects: KubeObject[] | undefined): Map<string, KubeObject> {
  const map = new Map<string, KubeObject>();
  for (const object of objects ?? []) {
    if (!nameOf(object)) continue;
    map.set(keyOf(object), object);
  }
  return map;
}

export class SnapshotIndex {
  readonly secrets: Map<string, KubeObject>;
  readonly configMaps: Map<string, KubeObject>;
  readonly services: Map<string, KubeObject>;
  readonly gateways: Map<string, KubeObject>;
  readonly agentgatewayBackends: Map<string, KubeObject>;
  readonly kgatewayBackends: Map<string, KubeObject>;
  readonly deployments: Map<string, KubeObject> | undefined;
  readonly namespaceLabels = new Map<string, Record<string, string>>();
  /** EndpointSlices by `ns/service-name` (label kubernetes.io/service-name). */
  readonly endpointSlicesByService = new Map<string, KubeObject[]>();

  constructor(readonly input: TranslateInput) {
    this.secrets = byKey(input.secrets);
    this.configMaps = byKey(input.configMaps);
    this.services = byKey(input.services);
    this.gateways = byKey(input.gateways);
    this.agentgatewayBackends = byKey(input.agentgatewayBackends);
    this.kgatewayBackends = byKey(input.kgatewayBackends);
    this.deployments = input.deployments ? byKey(input.deployments) : undefined;
    for (const ns of input.namespaces ?? []) this.namespaceLabels.set(nameOf(ns), labelsOf(ns));
    for (const slice of input.endpointSlices ?? []) {
      const service = asString(labelsOf(slice)['kubernetes.io/service-name']);
      if (!service) continue;
      const key = `${namespaceOf(slice)}/${service}`;
      const list = this.endpointSlicesByService.get(key) ?? [];
      list.push(slice);
      this.endpointSlicesByService.set(key, list);
    }
  }

  /** Labels of a namespace; a namespace not in the snapshot still has its kubernetes.io/metadata.name label. */
  labelsOfNamespace(namespace: string): Record<string, string> {
    return { 'kubernetes.io/metadata.name': namespace, ...(this.namespaceLabels.get(namespace) ?? {}) };
  }
}
