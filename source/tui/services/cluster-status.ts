// Which cluster the workshop uses and whether the gateway is ready: the
// GatewayClass Accepted by its controller, and the controller's pods Ready.
// Read-only: checking never starts the embedded cluster.
import fs from 'node:fs';
import type { ClusterClient, KubeObject } from '../../cluster/client.js';
import type { ClusterStatus } from '../model.js';

export const gatewayClassName = 'enterprise-agentgateway';
export const gatewayNamespace = 'agentgateway-system';

interface Condition {
  type: string;
  status: string;
  reason?: string;
}

function conditions(object: KubeObject | undefined): Condition[] {
  return ((object?.status as { conditions?: Condition[] } | undefined)?.conditions ?? []) as Condition[];
}

function podReady(pod: KubeObject): boolean {
  return conditions(pod).some((c) => c.type === 'Ready' && c.status === 'True');
}

export interface ClusterCheckTarget {
  embedded: boolean;
  kubeconfig?: string;
  context?: string;
}

/** Gateway readiness from what the API says (pure, table-testable). */
export function gatewayReadiness(gatewayClass: KubeObject | undefined, pods: KubeObject[]): ClusterStatus['gateway'] {
  const accepted = conditions(gatewayClass).find((c) => c.type === 'Accepted');
  const controllers = pods.filter((p) => /controller/.test(p.metadata.name));
  const ready = controllers.filter(podReady).length;
  const parts: string[] = [];
  if (!gatewayClass) parts.push(`GatewayClass ${gatewayClassName} not found`);
  else parts.push(`GatewayClass ${gatewayClassName} ${accepted?.status === 'True' ? 'Accepted' : `not Accepted${accepted?.reason ? ` (${accepted.reason})` : ''}`}`);
  if (controllers.length) parts.push(`controller ${ready}/${controllers.length} ready`);
  const isReady = accepted?.status === 'True' && (controllers.length === 0 || ready > 0);
  return { ready: isReady, detail: parts.join('; ') };
}

/** The embedded cluster has never been started here (no kubeconfig yet). */
export function notStarted(target: ClusterCheckTarget): ClusterStatus | undefined {
  if (!target.embedded || (target.kubeconfig && fs.existsSync(target.kubeconfig))) return undefined;
  return {
    kind: 'embedded',
    description: 'embedded cluster, not started yet (the setup lesson starts it)',
    reachable: false,
    gateway: { ready: false, detail: 'no cluster yet' },
  };
}

export async function checkCluster(target: ClusterCheckTarget, makeClient: () => ClusterClient): Promise<ClusterStatus> {
  const kind = target.embedded ? 'embedded' : 'context';
  const early = notStarted(target);
  if (early) return early;
  let client: ClusterClient;
  try {
    client = makeClient();
  } catch (e) {
    return { kind, description: `${target.context ? `kube context ${target.context}` : 'kubeconfig'}: ${(e as Error).message}`, reachable: false, gateway: { ready: false, detail: 'no cluster' } };
  }
  // The server's URL is known once the client has read its kubeconfig (its first request); before, only the file.
  const description = () =>
    /^https?:/.test(client.server)
      ? target.embedded ? `embedded cluster at ${client.server}` : `kube context ${client.context} (${client.server})`
      : target.embedded ? `embedded cluster ${client.server}` : `kube context ${client.context} ${client.server}`;
  try {
    await client.version();
  } catch (e) {
    return { kind, description: description(), reachable: false, gateway: { ready: false, detail: target.embedded ? 'agw-workshop cluster up starts it' : (e as Error).message } };
  }
  const [gatewayClass, pods] = await Promise.all([
    client.get({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', name: gatewayClassName }).catch(() => undefined),
    client.list('v1', 'Pod', gatewayNamespace).catch(() => [] as KubeObject[]),
  ]);
  return { kind, description: description(), reachable: true, gateway: gatewayReadiness(gatewayClass, pods) };
}
