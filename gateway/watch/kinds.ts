// Every kind translation reads: where its API lives (versions in preference
// order: the first one the server serves is watched) and which TranslateInput
// field it fills.
import type { TranslateInput } from '../translate/input-types.js';

export interface WatchedKind {
  field: keyof TranslateInput;
  kind: string;
  group: string;
  versions: string[];
  plural: string;
  /** Only objects with this label (e.g. the controller's proxy Deployments). */
  labelSelector?: string;
}

const GW = 'gateway.networking.k8s.io';

export const TRANSLATION_KINDS: WatchedKind[] = [
  { field: 'gatewayClasses', kind: 'GatewayClass', group: GW, versions: ['v1'], plural: 'gatewayclasses' },
  { field: 'gateways', kind: 'Gateway', group: GW, versions: ['v1'], plural: 'gateways' },
  { field: 'httpRoutes', kind: 'HTTPRoute', group: GW, versions: ['v1'], plural: 'httproutes' },
  { field: 'tlsRoutes', kind: 'TLSRoute', group: GW, versions: ['v1', 'v1alpha3', 'v1alpha2'], plural: 'tlsroutes' },
  { field: 'grpcRoutes', kind: 'GRPCRoute', group: GW, versions: ['v1'], plural: 'grpcroutes' },
  { field: 'referenceGrants', kind: 'ReferenceGrant', group: GW, versions: ['v1', 'v1beta1'], plural: 'referencegrants' },
  { field: 'backendTLSPolicies', kind: 'BackendTLSPolicy', group: GW, versions: ['v1', 'v1alpha3'], plural: 'backendtlspolicies' },
  { field: 'secrets', kind: 'Secret', group: '', versions: ['v1'], plural: 'secrets' },
  { field: 'configMaps', kind: 'ConfigMap', group: '', versions: ['v1'], plural: 'configmaps' },
  { field: 'services', kind: 'Service', group: '', versions: ['v1'], plural: 'services' },
  { field: 'namespaces', kind: 'Namespace', group: '', versions: ['v1'], plural: 'namespaces' },
  { field: 'endpointSlices', kind: 'EndpointSlice', group: 'discovery.k8s.io', versions: ['v1'], plural: 'endpointslices' },
  { field: 'agentgatewayBackends', kind: 'AgentgatewayBackend', group: 'agentgateway.dev', versions: ['v1alpha1'], plural: 'agentgatewaybackends' },
  { field: 'agentgatewayPolicies', kind: 'AgentgatewayPolicy', group: 'agentgateway.dev', versions: ['v1alpha1'], plural: 'agentgatewaypolicies' },
  { field: 'kgatewayBackends', kind: 'Backend', group: 'gateway.kgateway.dev', versions: ['v1alpha1'], plural: 'backends' },
  { field: 'glooTrafficPolicies', kind: 'GlooTrafficPolicy', group: 'gloo.solo.io', versions: ['v1alpha1'], plural: 'glootrafficpolicies' },
];

/** The proxy Deployments, for the controller's readiness and reconciliation. */
export const PROXY_DEPLOYMENTS: WatchedKind = {
  field: 'deployments',
  kind: 'Deployment',
  group: 'apps',
  versions: ['v1'],
  plural: 'deployments',
  labelSelector: 'gateway.networking.k8s.io/gateway-name',
};

export function collectionPath(kind: WatchedKind, version: string): string {
  return kind.group === '' ? `/api/${version}/${kind.plural}` : `/apis/${kind.group}/${version}/${kind.plural}`;
}

/** The proxy pods, for the port map their proxies record (shown in listener status). */
export const PROXY_PODS: WatchedKind = {
  field: 'pods',
  kind: 'Pod',
  group: '',
  versions: ['v1'],
  plural: 'pods',
  labelSelector: 'gateway.networking.k8s.io/gateway-name',
};
