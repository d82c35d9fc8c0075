// A bare list of the kinds the API must serve, without validation or tables.
// The registry uses it only when the full catalogue (catalog.ts) is absent,
// so the API server can be built and tested on its own.
import type { ResourceType } from './types.js';

type Row = [group: string, versions: string, kind: string, plural: string, namespaced: boolean, shortNames?: string, categories?: string];

const rows: Row[] = [
  ['', 'v1', 'Namespace', 'namespaces', false, 'ns'],
  ['', 'v1', 'Secret', 'secrets', true],
  ['', 'v1', 'ConfigMap', 'configmaps', true, 'cm'],
  ['', 'v1', 'Service', 'services', true, 'svc', 'all'],
  ['', 'v1', 'Pod', 'pods', true, 'po', 'all'],
  ['', 'v1', 'ServiceAccount', 'serviceaccounts', true, 'sa'],
  ['', 'v1', 'Event', 'events', true, 'ev'],
  ['', 'v1', 'Endpoints', 'endpoints', true, 'ep'],
  ['discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true],
  ['apps', 'v1', 'Deployment', 'deployments', true, 'deploy', 'all'],
  ['apps', 'v1', 'ReplicaSet', 'replicasets', true, 'rs', 'all'],
  ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, 'crd,crds'],
  ['gateway.networking.k8s.io', 'v1', 'GatewayClass', 'gatewayclasses', false, 'gc', 'gateway-api'],
  ['gateway.networking.k8s.io', 'v1', 'Gateway', 'gateways', true, 'gtw', 'gateway-api'],
  ['gateway.networking.k8s.io', 'v1', 'HTTPRoute', 'httproutes', true, '', 'gateway-api'],
  ['gateway.networking.k8s.io', 'v1', 'GRPCRoute', 'grpcroutes', true, '', 'gateway-api'],
  ['gateway.networking.k8s.io', 'v1alpha2', 'TLSRoute', 'tlsroutes', true, '', 'gateway-api'],
  ['gateway.networking.k8s.io', 'v1beta1', 'ReferenceGrant', 'referencegrants', true, 'refgrant', 'gateway-api'],
  ['gateway.networking.k8s.io', 'v1,v1alpha3', 'BackendTLSPolicy', 'backendtlspolicies', true, 'btlspolicy', 'gateway-api'],
  ['agentgateway.dev', 'v1alpha1', 'AgentgatewayBackend', 'agentgatewaybackends', true],
  ['agentgateway.dev', 'v1alpha1', 'AgentgatewayPolicy', 'agentgatewaypolicies', true],
  ['gateway.kgateway.dev', 'v1alpha1', 'Backend', 'backends', true],
  ['gloo.solo.io', 'v1alpha1', 'GlooTrafficPolicy', 'glootrafficpolicies', true],
  ['cert-manager.io', 'v1', 'Issuer', 'issuers', true],
  ['cert-manager.io', 'v1', 'ClusterIssuer', 'clusterissuers', false],
  ['cert-manager.io', 'v1', 'Certificate', 'certificates', true, 'cert,certs'],
];

const noStatus = new Set(['Secret', 'ConfigMap', 'ServiceAccount', 'Event', 'Endpoints', 'EndpointSlice']);

export const minimalBuiltins: ResourceType[] = rows.map(([group, versions, kind, plural, namespaced, shortNames, categories]) => ({
  group,
  versions: versions.split(','),
  deprecatedVersions: kind === 'BackendTLSPolicy' ? ['v1alpha3'] : undefined,
  kind,
  listKind: `${kind}List`,
  plural,
  singular: kind.toLowerCase(),
  namespaced,
  shortNames: shortNames ? shortNames.split(',') : undefined,
  categories: categories ? categories.split(',') : undefined,
  hasStatus: !noStatus.has(kind),
  strategicMerge: ['', 'apps', 'discovery.k8s.io', 'apiextensions.k8s.io'].includes(group),
}));
