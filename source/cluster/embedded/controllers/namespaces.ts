// The namespaces every cluster has, and a `default` ServiceAccount in each
// namespace (what the ServiceAccount controller does).
import type { KubeObject } from '../store/store-types.js';
import { NAMESPACES, SERVICE_ACCOUNTS } from './resource-keys.js';
import { WorkQueue } from './work-queue.js';
import type { Loop, LoopContext } from './loop.js';
import { isConflictOrGone, isTerminating, listAndWatch } from './objects.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function ensureObject(ctx: LoopContext, key: Parameters<LoopContext['store']['create']>[0], object: KubeObject): void {
  if (ctx.store.get(key, object.metadata.namespace, object.metadata.name)) return;
  try {
    ctx.store.create(key, object);
  } catch (error) {
    if (!isConflictOrGone(error)) throw error; // created meanwhile by someone else: fine
  }
}

export function startNamespaceLoop(ctx: LoopContext): Loop {
  for (const name of SYSTEM_NAMESPACES) {
    ensureObject(ctx, NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
  }
  const queue = new WorkQueue('serviceaccounts', (namespace) => {
    const ns = ctx.store.get(NAMESPACES, undefined, namespace);
    if (!ns || isTerminating(ns)) return;
    ensureObject(ctx, SERVICE_ACCOUNTS, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
  }, ctx.log);
  const unwatchNamespaces = listAndWatch(ctx.store, NAMESPACES, (event) => {
    if (event.type !== 'DELETED') queue.add(event.object.metadata.name);
  });
  const unwatchAccounts = listAndWatch(ctx.store, SERVICE_ACCOUNTS, (event) => {
    if (event.type === 'DELETED' && event.object.metadata.name === 'default') queue.add(event.object.metadata.namespace ?? '');
  });
  return {
    name: 'namespaces',
    idle: () => queue.idle(),
    stop() {
      unwatchNamespaces();
      unwatchAccounts();
      queue.stop();
    },
  };
}
