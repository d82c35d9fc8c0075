// Lookups over one TranslateInput, built once per translation.
import type { InputObject, TranslateInput } from './input-types.js';
import { asString, keyOf, labelsOf, nameOf, namespaceOf } from './fields.js';

function byKey(objects: InputObject[] | undefined): Map<string, InputObject> {
  const map = new Map<string, InputObject>();
  for (const object of objects ?? []) {
    if (!nameOf(object)) continue;
    map.set(keyOf(object), object);
  }
  return map;
}

export class SnapshotIndex {
  readonly secrets: Map<string, InputObject>;
  readonly configMaps: Map<string, InputObject>;
  readonly services: Map<string, InputObject>;
  readonly gateways: Map<string, InputObject>;
  readonly agentgatewayBackends: Map<string, InputObject>;
  readonly kgatewayBackends: Map<string, InputObject>;
  readonly deployments: Map<string, InputObject> | undefined;
  readonly namespaceLabels = new Map<string, Record<string, string>>();
  /** EndpointSlices by `ns/service-name` (label kubernetes.io/service-name). */
  readonly endpointSlicesByService = new Map<string, InputObject[]>();

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
