// The built-in kinds of the embedded API server: what discovery, routing,
// patch, tables and validation need to know about each.
//
// Storage: each kind is stored in exactly one version, the first of
// `versions`. Every other served version of these kinds has the same schema
// shape (Gateway API's v1beta1 and v1alpha* versions are the same Go types
// under another name; cert-manager has one version), so converting an object
// between versions is only rewriting `apiVersion` — see `convertToVersion`.
// Validation differs in places (TLSRoute v1 requires `hostnames`, v1alpha2
// does not): validate an object in the version the request used, as
// kube-apiserver does, then convert it for storage.
//
// Names, shortNames, categories and printer columns follow the real objects:
// kube-apiserver's REST storage for core/apps/discovery/apiextensions, and the
// CRDs of Gateway API v1.5/v1.6 (standard channel), agentgateway, kgateway,
// Gloo and cert-manager.
import type { KubeObject } from '../store/store-types.js';
import type { ResourceType, TableColumn } from './types.js';
import * as tables from './tables.js';
import { pruneFor, validatorFor } from '../validation/index.js';
import { applyGatewayApiDefaults } from '../validation/gateway-defaults.js';
import { checkUpdate } from '../validation/update-rules.js';

interface Entry {
  group: string;
  versions: string[];
  deprecatedVersions?: string[];
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  hasStatus: boolean;
  strategicMerge: boolean;
  table?: TableColumn[];
}

function define(entry: Entry): ResourceType {
  const resource: ResourceType = {
    ...entry,
    versions: [...entry.versions],
    ...(entry.categories ? { categories: [...entry.categories] } : {}),
    listKind: `${entry.kind}List`,
    singular: entry.kind.toLowerCase(),
  };
  const validate = validatorFor(resource);
  if (validate) resource.validate = validate;
  resource.prune = (object) => pruneFor(resource, object);
  resource.validateUpdate = (next, previous) => checkUpdate(resource.group, next, previous);
  if (resource.group === 'gateway.networking.k8s.io') resource.applyDefaults = applyGatewayApiDefaults;
  return resource;
}

const core = { group: '', versions: ['v1'], strategicMerge: true };
const gatewayApi = { group: 'gateway.networking.k8s.io', strategicMerge: false, namespaced: true, categories: ['gateway-api'], hasStatus: true };
const certManager = { group: 'cert-manager.io', versions: ['v1'], strategicMerge: false, categories: ['cert-manager'], hasStatus: true };

export const builtinResources: ResourceType[] = [
  // core/v1
  define({ ...core, kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], hasStatus: true, table: tables.namespaceColumns }),
  define({ ...core, kind: 'Secret', plural: 'secrets', namespaced: true, hasStatus: false, table: tables.secretColumns }),
  define({ ...core, kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'], hasStatus: false, table: tables.configMapColumns }),
  define({ ...core, kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'], hasStatus: true, table: tables.serviceColumns }),
  define({ ...core, kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], hasStatus: true, table: tables.podColumns }),
  define({ ...core, kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'], hasStatus: false, table: tables.serviceAccountColumns }),
  define({ ...core, kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], hasStatus: false, table: tables.eventColumns }),
  // discovery.k8s.io, apps, apiextensions.k8s.io
  define({ group: 'discovery.k8s.io', versions: ['v1'], kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true, hasStatus: false, strategicMerge: true, table: tables.endpointSliceColumns }),
  define({ group: 'apps', versions: ['v1'], kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], hasStatus: true, strategicMerge: true, table: tables.deploymentColumns }),
  define({ group: 'apiextensions.k8s.io', versions: ['v1'], kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], hasStatus: true, strategicMerge: true, table: tables.crdColumns }),
  // gateway.networking.k8s.io: standard channel of v1.5/v1.6. GRPCRoute serves
  // only v1 there; TLSRoute v1alpha2 and BackendTLSPolicy v1alpha3 were dropped
  // from the standard channel but lab texts still use them, so they are served
  // as deprecated versions (kubectl prints a warning).
  define({ ...gatewayApi, versions: ['v1', 'v1beta1'], kind: 'GatewayClass', plural: 'gatewayclasses', namespaced: false, shortNames: ['gc'], table: tables.gatewayClassColumns }),
  define({ ...gatewayApi, versions: ['v1', 'v1beta1'], kind: 'Gateway', plural: 'gateways', shortNames: ['gtw'], table: tables.gatewayColumns }),
  define({ ...gatewayApi, versions: ['v1', 'v1beta1'], kind: 'HTTPRoute', plural: 'httproutes', table: tables.routeColumns }),
  define({ ...gatewayApi, versions: ['v1'], kind: 'GRPCRoute', plural: 'grpcroutes', table: tables.routeColumns }),
  define({ ...gatewayApi, versions: ['v1', 'v1alpha2'], deprecatedVersions: ['v1alpha2'], kind: 'TLSRoute', plural: 'tlsroutes', table: tables.routeColumns }),
  define({ ...gatewayApi, versions: ['v1', 'v1beta1'], kind: 'ReferenceGrant', plural: 'referencegrants', shortNames: ['refgrant'], hasStatus: false, table: tables.ageOnlyColumns }),
  define({ ...gatewayApi, versions: ['v1', 'v1alpha3'], deprecatedVersions: ['v1alpha3'], kind: 'BackendTLSPolicy', plural: 'backendtlspolicies', shortNames: ['btlspolicy'], table: tables.ageOnlyColumns }),
  // agentgateway.dev
  define({ group: 'agentgateway.dev', versions: ['v1alpha1'], kind: 'AgentgatewayBackend', plural: 'agentgatewaybackends', namespaced: true, shortNames: ['agbe'], categories: ['agentgateway'], hasStatus: true, strategicMerge: false, table: tables.acceptedColumns }),
  define({
    group: 'agentgateway.dev', versions: ['v1alpha1'], kind: 'AgentgatewayPolicy', plural: 'agentgatewaypolicies', namespaced: true,
    shortNames: ['agpol'], categories: ['agentgateway'], hasStatus: true, strategicMerge: false,
    table: tables.printerColumns([
      { name: 'Accepted', type: 'string', jsonPath: ".status.ancestors[*].conditions[?(@.type=='Accepted')].status", description: 'Agentgateway policy acceptance status' },
      { name: 'Attached', type: 'string', jsonPath: ".status.ancestors[*].conditions[?(@.type=='Attached')].status", description: 'Agentgateway policy attachment status' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]),
  }),
  // kgateway and Gloo shapes of the JWT lab text
  define({
    group: 'gateway.kgateway.dev', versions: ['v1alpha1'], kind: 'Backend', plural: 'backends', namespaced: true,
    categories: ['kgateway'], hasStatus: true, strategicMerge: false,
    table: tables.printerColumns([
      { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'Which backend type?' },
      { name: 'Accepted', type: 'string', jsonPath: ".status.conditions[?(@.type=='Accepted')].status", description: 'Backend configuration acceptance status' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]),
  }),
  define({ group: 'gloo.solo.io', versions: ['v1alpha1'], kind: 'GlooTrafficPolicy', plural: 'glootrafficpolicies', namespaced: true, categories: ['gloo'], hasStatus: true, strategicMerge: false, table: tables.acceptedColumns }),
  // cert-manager.io
  define({ ...certManager, kind: 'Issuer', plural: 'issuers', namespaced: true, table: tables.issuerColumns }),
  define({ ...certManager, kind: 'ClusterIssuer', plural: 'clusterissuers', namespaced: false, table: tables.issuerColumns }),
  define({ ...certManager, kind: 'Certificate', plural: 'certificates', namespaced: true, shortNames: ['cert', 'certs'], table: tables.certificateColumns }),
];

/** The storage version of a kind (first served version). */
export function storageVersion(resource: ResourceType): string {
  return resource.versions[0];
}

export function apiVersionOf(resource: ResourceType, version = storageVersion(resource)): string {
  return resource.group ? `${resource.group}/${version}` : version;
}

/** Finds a kind by group, served version and plural; undefined when not served. */
export function findResource(resources: readonly ResourceType[], group: string, version: string, plural: string): ResourceType | undefined {
  return resources.find((r) => r.group === group && r.plural === plural && r.versions.includes(version));
}

/** Finds a kind by apiVersion ("v1", "apps/v1") and kind, as a request body names it. */
export function findResourceByKind(resources: readonly ResourceType[], apiVersion: string, kind: string): ResourceType | undefined {
  const slash = apiVersion.lastIndexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  return resources.find((r) => r.group === group && r.kind === kind && r.versions.includes(version));
}

/**
 * Converts an object to another served version of its kind. The served
 * versions of every kind here share one schema shape, so this rewrites
 * `apiVersion` only (a copy; the input is untouched).
 */
export function convertToVersion(object: KubeObject, resource: ResourceType, version: string): KubeObject {
  return { ...object, apiVersion: apiVersionOf(resource, version) };
}
