// A stored CustomResourceDefinition registers its kind: discovery, routing,
// tables (additionalPrinterColumns) and validation against the served
// version's openAPIV3Schema, with unknown fields rejected under Strict unless
// the schema says x-kubernetes-preserve-unknown-fields (and pruned otherwise),
// and schema defaults applied. Custom kinds take JSON merge and JSON patch,
// never strategic merge.
import type { StatusCause } from '../apiserver/api-error.js';
import type { KubeObject } from '../store/store-types.js';
import type { ResourceType } from './types.js';
import { printerColumns, type PrinterColumn } from './tables.js';
import { FieldPath, str, withUnknownFirst } from '../validation/causes.js';
import { checkMetadata } from '../validation/metadata.js';
import { applyDefaults, checkSchema, pruneUnknown, type Schema } from '../validation/schema.js';
import { objectMetaSchema } from '../validation/object-meta.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated: boolean;
  schema?: Schema;
  hasStatus: boolean;
  columns?: PrinterColumn[];
}

function readVersions(spec: Obj): CrdVersion[] {
  const list = Array.isArray(spec.versions) ? spec.versions : [];
  return list.filter(isObj).map((v) => {
    const schema = isObj(v.schema) && isObj(v.schema.openAPIV3Schema) ? (v.schema.openAPIV3Schema as Schema) : undefined;
    const columns = Array.isArray(v.additionalPrinterColumns) ? (v.additionalPrinterColumns.filter(isObj) as unknown as PrinterColumn[]) : undefined;
    return {
      name: str(v.name ?? ''),
      served: v.served !== false,
      storage: v.storage === true,
      deprecated: v.deprecated === true,
      ...(schema ? { schema } : {}),
      hasStatus: isObj(v.subresources) && isObj(v.subresources.status),
      ...(columns ? { columns } : {}),
    };
  });
}

/** The version's schema with the object envelope (apiVersion, kind, metadata) every kind has. */
function rootSchema(schema: Schema | undefined): Schema {
  const base: Schema = schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    ...base,
    type: 'object',
    properties: { ...(base.properties ?? {}), apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: objectMetaSchema },
  };
}

function versionOf(object: KubeObject): string {
  const apiVersion = str(object.apiVersion ?? '');
  return apiVersion.slice(apiVersion.lastIndexOf('/') + 1);
}

/**
 * The kinds a stored CRD serves: one ResourceType (all served versions,
 * storage version first), or none when the CRD is malformed or serves nothing.
 */
export function resourceFromCrd(crd: KubeObject): ResourceType[] {
  const spec = isObj(crd.spec) ? crd.spec : undefined;
  const names = spec && isObj(spec.names) ? spec.names : undefined;
  if (!spec || !names || typeof spec.group !== 'string' || typeof names.plural !== 'string' || typeof names.kind !== 'string') return [];
  const versions = readVersions(spec).filter((v) => v.served && v.name);
  if (versions.length === 0) return [];
  versions.sort((a, b) => Number(b.storage) - Number(a.storage));
  const byName = new Map(versions.map((v) => [v.name, v]));
  const roots = new Map(versions.map((v) => [v.name, rootSchema(v.schema)]));
  const kind = names.kind;
  const namespaced = spec.scope !== 'Cluster';
  const storage = versions[0];

  const validate = (object: KubeObject, { strict }: { strict: boolean }): StatusCause[] => {
    const schema = roots.get(versionOf(object)) ?? roots.get(storage.name) as Schema;
    const schemaCauses = checkSchema(object, schema, FieldPath.root(), { strict });
    return withUnknownFirst([...checkMetadata(object, { namespaced, name: 'subdomain' }), ...schemaCauses]);
  };

  const resource: ResourceType = {
    group: spec.group,
    versions: versions.map((v) => v.name),
    kind,
    listKind: typeof names.listKind === 'string' && names.listKind ? names.listKind : `${kind}List`,
    plural: names.plural,
    singular: typeof names.singular === 'string' && names.singular ? names.singular : kind.toLowerCase(),
    namespaced,
    hasStatus: storage.hasStatus,
    strategicMerge: false,
    validate,
    prune: (object) => pruneUnknown(object, roots.get(versionOf(object)) ?? (roots.get(storage.name) as Schema)) as KubeObject,
    applyDefaults: (object) => applyDefaults(object, roots.get(versionOf(object)) ?? (roots.get(storage.name) as Schema)) as KubeObject,
  };
  const shortNames = strings(names.shortNames);
  if (shortNames.length > 0) resource.shortNames = shortNames;
  const categories = strings(names.categories);
  if (categories.length > 0) resource.categories = categories;
  const deprecated = versions.filter((v) => v.deprecated).map((v) => v.name);
  if (deprecated.length > 0) resource.deprecatedVersions = deprecated;
  const columns = byName.get(storage.name)?.columns;
  if (columns && columns.length > 0) resource.table = printerColumns(columns);
  return [resource];
}
