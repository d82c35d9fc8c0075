// The collections the control-plane loops read and write, as store keys.
import type { ResourceKey } from '../store/store-types.js';

export const PODS: ResourceKey = { group: '', resource: 'pods' };
export const SERVICES: ResourceKey = { group: '', resource: 'services' };
export const SECRETS: ResourceKey = { group: '', resource: 'secrets' };
export const CONFIGMAPS: ResourceKey = { group: '', resource: 'configmaps' };
export const NAMESPACES: ResourceKey = { group: '', resource: 'namespaces' };
export const SERVICE_ACCOUNTS: ResourceKey = { group: '', resource: 'serviceaccounts' };
export const DEPLOYMENTS: ResourceKey = { group: 'apps', resource: 'deployments' };
export const ENDPOINT_SLICES: ResourceKey = { group: 'discovery.k8s.io', resource: 'endpointslices' };
export const ISSUERS: ResourceKey = { group: 'cert-manager.io', resource: 'issuers' };
export const CLUSTER_ISSUERS: ResourceKey = { group: 'cert-manager.io', resource: 'clusterissuers' };
export const CERTIFICATES: ResourceKey = { group: 'cert-manager.io', resource: 'certificates' };
