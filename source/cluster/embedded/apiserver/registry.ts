// Which kinds the API serves: the built-in catalogue plus the kinds of stored
// CustomResourceDefinitions, looked up by URL (group, version, plural) or by
// apiVersion/kind. A stored CRD registers its kinds at once.
import type { KubeObject, ResourceKey } from '../store/store-types.js';
import type { ResourceType } from '../resources/types.js';

export const CRD_KEY: ResourceKey = { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' };

export type CrdConverter = (crd: KubeObject) => ResourceType[];

/** Loads the catalogue of built-in kinds and the CRD converter (dynamic: overlaps with key generation at first start). */
export async function loadCatalogue(): Promise<{ builtins: ResourceType[]; fromCrd: CrdConverter }> {
  const [{ builtinResources }, { resourceFromCrd }] = await Promise.all([import('../resources/catalog.js'), import('../resources/crd.js')]);
  return { builtins: builtinResources, fromCrd: resourceFromCrd };
}

export class ResourceRegistry {
  private custom: ResourceType[] = [];

  constructor(
    private readonly builtins: ResourceType[],
    private readonly fromCrd: CrdConverter,
    private readonly log: (line: string) => void = () => {},
  ) {}

  all(): ResourceType[] {
    return [...this.builtins, ...this.custom];
  }

  private isBuiltin(group: string, plural: string): boolean {
    return this.builtins.some((r) => r.group === group && r.plural === plural);
  }

  /** By URL: /apis/<group>/<version>/<plural>. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.all().find((r) => r.group === group && r.plural === plural && r.versions.includes(version));
  }

  findByKind(group: string, kind: string): ResourceType | undefined {
    return this.all().find((r) => r.group === group && r.kind === kind);
  }

  /** Recomputes the custom kinds from the stored CRDs. */
  setCrds(crds: KubeObject[]): void {
    const next: ResourceType[] = [];
    for (const crd of crds) {
      try {
        for (const type of this.fromCrd(crd)) {
          if (this.isBuiltin(type.group, type.plural)) continue; // built-ins win over a CRD of the same name
          next.push(type);
        }
      } catch (error) {
        this.log(`registry: CRD ${crd.metadata.name} ignored: ${(error as Error).message}`);
      }
    }
    this.custom = next;
  }

  keyOf(type: ResourceType): ResourceKey {
    return { group: type.group, resource: type.plural };
  }
}
