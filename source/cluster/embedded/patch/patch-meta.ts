// The patchStrategy / patchMergeKey struct tags of the Kubernetes API types
// (k8s.io/api core/v1, apps/v1, meta/v1) for the kinds served here. Strategic
// merge patch needs them: a list with a merge key merges element by element,
// a list without one is replaced whole. Fields not listed are plain (maps
// merge, lists replace), as their Go types declare no strategy.
export type PatchStrategy = 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';

export interface FieldMeta {
  strategy?: PatchStrategy;
  mergeKey?: string;
  /** The struct of the field's value, or of its list elements. */
  of?: StructMeta;
}

export type StructMeta = { readonly [field: string]: FieldMeta };

const mergeBy = (mergeKey: string, of?: StructMeta, strategy: PatchStrategy = 'merge'): FieldMeta => ({ strategy, mergeKey, ...(of ? { of } : {}) });
const struct = (of: StructMeta): FieldMeta => ({ of });

export const objectMeta: StructMeta = {
  finalizers: { strategy: 'merge' },
  ownerReferences: mergeBy('uid'),
};

const container: StructMeta = {
  ports: mergeBy('containerPort'),
  env: mergeBy('name'),
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
};

const podSpec: StructMeta = {
  volumes: mergeBy('name', undefined, 'merge,retainKeys'),
  initContainers: mergeBy('name', container),
  containers: mergeBy('name', container),
  ephemeralContainers: mergeBy('name', container),
  imagePullSecrets: mergeBy('name'),
  hostAliases: mergeBy('ip'),
  topologySpreadConstraints: mergeBy('topologyKey'),
  schedulingGates: mergeBy('name'),
  resourceClaims: mergeBy('name', undefined, 'merge,retainKeys'),
};

const podTemplateSpec: StructMeta = { metadata: struct(objectMeta), spec: struct(podSpec) };
const withConditions: StructMeta = { conditions: mergeBy('type') };

/** Patch metadata by `group kind`. */
export const patchMetaByKind: Record<string, StructMeta> = {
  ' Pod': {
    metadata: struct(objectMeta),
    spec: struct(podSpec),
    status: struct({ conditions: mergeBy('type'), podIPs: mergeBy('ip'), hostIPs: mergeBy('ip') }),
  },
  'apps Deployment': {
    metadata: struct(objectMeta),
    spec: struct({ template: struct(podTemplateSpec), strategy: { strategy: 'retainKeys' } }),
    status: struct(withConditions),
  },
  ' Service': {
    metadata: struct(objectMeta),
    spec: struct({ ports: mergeBy('port') }),
    status: struct(withConditions),
  },
  ' ServiceAccount': { metadata: struct(objectMeta), secrets: mergeBy('name') },
  ' Namespace': { metadata: struct(objectMeta), status: struct(withConditions) },
};

export const plainKind: StructMeta = { metadata: struct(objectMeta) };

export function patchMetaFor(group: string, kind: string): StructMeta {
  return patchMetaByKind[`${group} ${kind}`] ?? plainKind;
}
