// What the API server knows about a kind: enough for discovery, OpenAPI,
// routing, patch strategy, tables and validation. Built-in kinds are listed in
// code; CRDs stored at runtime add entries of the same shape.
import type { KubeObject } from '../store/store-types.js';
import type { StatusCause } from '../apiserver/api-error.js';

export interface ResourceType {
  group: string; // '' for core
  /** Every served version; the first is the storage version. */
  versions: string[];
  /** Versions still served but deprecated (e.g. BackendTLSPolicy v1alpha3): kubectl prints a warning. */
  deprecatedVersions?: string[];
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** `status` subresource: status is ignored on create/update and written only through /status. */
  hasStatus: boolean;
  /** Built-in kinds take strategic merge patch; custom kinds only JSON merge and JSON patch. */
  strategicMerge: boolean;
  /** Validates an object (after defaulting). Returns causes with field paths; empty when valid. `strict` also rejects unknown fields. */
  validate?: (object: KubeObject, options: { strict: boolean }) => StatusCause[];
  /** Checks an update against the stored object: fields kube-apiserver never lets change (a Deployment's selector, immutable Secret data, ...). Empty when allowed. */
  validateUpdate?: (next: KubeObject, previous: KubeObject) => StatusCause[];
  /** Drops the fields the kind does not know, as the real server does on a non-Strict write (fieldValidation=Ignore/Warn). Absent: store as sent. */
  prune?: (object: KubeObject) => KubeObject;
  /** Fills schema defaults (CRD `default:`), as the real server does when decoding a write. Absent: no defaults. */
  applyDefaults?: (object: KubeObject) => KubeObject;
  /** Columns for `kubectl get` (Table), in order, NAME and AGE included when shown. Absent: NAME, AGE. */
  table?: TableColumn[];
}

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  description?: string;
  /** Extracts the cell; return '<none>' style text for missing values. */
  cell: (object: KubeObject) => string | number;
  /** Shown only with -o wide. */
  wide?: boolean;
}
