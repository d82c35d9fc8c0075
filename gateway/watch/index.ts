export { watchSnapshot, type SnapshotWatch, type SnapshotWatchOptions } from './snapshot-watch.js';
export { KubeApi, KubeApiError, isNotFound } from './kube-api.js';
export { TRANSLATION_KINDS, PROXY_DEPLOYMENTS, PROXY_PODS, collectionPath, type WatchedKind } from './kinds.js';
