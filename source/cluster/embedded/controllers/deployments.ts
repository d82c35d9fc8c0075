// Deployment → Pods, directly (no ReplicaSet kind is served). Pods carry the
// pod-template-hash label, are named <deployment>-<hash>-<5 chars> and are
// controlled by the Deployment. A template change gets a new hash: new pods
// are created first and old ones are removed as the new ones become ready,
// within maxUnavailable (a rolling update with maxSurge = the whole new set).
import type { KubeObject } from '../store/store-types.js';
import { DEPLOYMENTS, PODS } from './resource-keys.js';
import { WorkQueue } from './work-queue.js';
import type { Loop, LoopContext } from './loop.js';
import { eventRecorder } from './events.js';
import {
  controllerOwner, isControlledBy, isConflictOrGone, isTerminating, listAndWatch, objectKey, ownerReferenceTo, podIsReady,
  randomSuffix, sameJson, selectorMatches, shortHash, splitKey, withCondition, type Condition, type LabelSelector,
} from './objects.js';

interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
  strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } };
}

export const POD_TEMPLATE_HASH = 'pod-template-hash';

export function podTemplateHash(deployment: KubeObject): string {
  return shortHash((deployment.spec as DeploymentSpec | undefined)?.template ?? {});
}

/** maxUnavailable resolved against the desired count (percentages round down, as Kubernetes does). */
export function maxUnavailable(spec: DeploymentSpec, desired: number): number {
  if (spec.strategy?.type === 'Recreate') return desired;
  const raw = spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  if (typeof raw === 'number') return Math.min(raw, desired);
  const percent = /^(\d+)%$/.exec(raw);
  return percent ? Math.floor((desired * Number(percent[1])) / 100) : Math.min(Number(raw) || 0, desired);
}

export function startDeploymentLoop(ctx: LoopContext): Loop {
  const { store, log } = ctx;
  const queue = new WorkQueue('deployments', reconcile, log);
  const event = eventRecorder(store, 'deployment-controller', log);

  const unwatchDeployments = listAndWatch(store, DEPLOYMENTS, (event) => queue.add(objectKey(event.object)));
  const unwatchPods = listAndWatch(store, PODS, (event) => {
    const owner = controllerOwner(event.object);
    if (owner?.kind === 'Deployment') queue.add(`${event.object.metadata.namespace}/${owner.name}`);
  });

  function reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    const deployment = store.get(DEPLOYMENTS, namespace, name);
    if (!deployment || isTerminating(deployment)) return; // dependents are garbage-collected by the store
    const spec = (deployment.spec ?? {}) as DeploymentSpec;
    const desired = Math.max(0, spec.replicas ?? 1);
    const hash = podTemplateHash(deployment);

    const owned = store.list(PODS, { namespace }).items.filter((pod) => isControlledBy(pod, deployment));
    const live = owned.filter((pod) => !isTerminating(pod));
    const current = live.filter((pod) => pod.metadata.labels?.[POD_TEMPLATE_HASH] === hash);
    const old = live.filter((pod) => pod.metadata.labels?.[POD_TEMPLATE_HASH] !== hash);

    for (let i = current.length; i < desired; i++) current.push(createPod(deployment, spec, hash));
    if (current.length > desired) {
      // Scale down: not-ready pods first, then the newest.
      const surplus = [...current]
        .sort((a, b) => Number(podIsReady(a)) - Number(podIsReady(b)) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))
        .slice(0, current.length - desired);
      for (const pod of surplus) {
        deletePod(pod);
        current.splice(current.indexOf(pod), 1);
      }
    }

    // Keep old pods only while they are needed to stay within maxUnavailable.
    const readyNew = current.filter(podIsReady).length;
    const keepOld = Math.max(0, desired - maxUnavailable(spec, desired) - readyNew);
    const oldByReadiness = [...old].sort((a, b) => Number(podIsReady(b)) - Number(podIsReady(a)));
    let keptReady = 0;
    for (const pod of oldByReadiness) {
      if (podIsReady(pod) && keptReady < keepOld) {
        keptReady++;
        continue;
      }
      deletePod(pod);
    }
    const remainingOld = oldByReadiness.slice(0, keptReady);

    writeStatus(deployment, spec, desired, current, remainingOld);
  }

  function createPod(deployment: KubeObject, spec: DeploymentSpec, hash: string): KubeObject {
    const template = spec.template ?? {};
    const name = `${deployment.metadata.name}-${hash}-${randomSuffix()}`;
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName: `${deployment.metadata.name}-${hash}-`,
        namespace: deployment.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash },
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [ownerReferenceTo(deployment)],
      },
      spec: structuredClone(template.spec ?? {}),
      status: { phase: 'Pending' },
    };
    const created = store.create(PODS, pod);
    event(deployment, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`);
    return created;
  }

  function deletePod(pod: KubeObject): void {
    store.delete(PODS, pod.metadata.namespace, pod.metadata.name);
    const owner = controllerOwner(pod);
    if (owner) event({ apiVersion: owner.apiVersion, kind: owner.kind, metadata: { name: owner.name, namespace: pod.metadata.namespace, uid: owner.uid } }, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
  }

  function writeStatus(deployment: KubeObject, spec: DeploymentSpec, desired: number, current: KubeObject[], old: KubeObject[]): void {
    const all = [...current, ...old];
    const ready = all.filter(podIsReady).length;
    const updatedReady = current.filter(podIsReady).length;
    const available = ready;
    const previous = (deployment.status ?? {}) as { conditions?: Condition[] };
    const isAvailable = available >= desired - maxUnavailable(spec, desired);
    const complete = current.length === desired && updatedReady === desired && old.length === 0;
    let conditions = withCondition(previous.conditions, {
      type: 'Available',
      status: isAvailable ? 'True' : 'False',
      reason: isAvailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      message: isAvailable ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
    });
    conditions = withCondition(conditions, {
      type: 'Progressing',
      status: 'True',
      reason: complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
      message: complete
        ? `Pods with template hash "${podTemplateHash(deployment)}" have successfully progressed.`
        : `Pods with template hash "${podTemplateHash(deployment)}" are progressing.`,
    });
    const status: Record<string, unknown> = {
      observedGeneration: deployment.metadata.generation ?? 1,
      replicas: all.length,
      updatedReplicas: current.length,
      readyReplicas: ready,
      availableReplicas: available,
      ...(all.length - available > 0 ? { unavailableReplicas: all.length - available } : {}),
      conditions,
    };
    for (const field of ['readyReplicas', 'availableReplicas', 'updatedReplicas', 'replicas'] as const) {
      if (status[field] === 0) delete status[field]; // Kubernetes omits zero counts
    }
    if (sameJson(status, deployment.status)) return;
    try {
      store.updateStatus(DEPLOYMENTS, { ...deployment, status });
    } catch (error) {
      if (!isConflictOrGone(error)) throw error;
      queue.add(objectKey(deployment)); // changed under us: reconcile again from the new state
    }
  }

  return {
    name: 'deployments',
    idle: () => queue.idle(),
    stop() {
      unwatchDeployments();
      unwatchPods();
      queue.stop();
    },
  };
}
