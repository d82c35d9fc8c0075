// For each Gateway of our classes: a proxy Deployment and a LoadBalancer
// Service named like the Gateway, in its namespace, labelled with the
// Gateway's name and owned by it (so deleting the Gateway removes them; the
// controller also removes its leftovers itself, in case no garbage collector runs).
import type { InputObject, TranslateInput } from '../translate/input-types.js';
import { canonicalJson } from '../translate/stable-hash.js';
import { KubeApi, KubeApiError } from '../watch/kube-api.js';
import { PROXY_STATUS_PORT, READINESS_PATH } from '../proxy/status-server.js';
import { GATEWAY_NAME_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROXY_SERVICE_ACCOUNT, proxyImage } from './constants.js';

export function listenerPorts(gateway: InputObject): number[] {
  const ports = new Set<number>();
  for (const listener of Array.isArray(gateway.spec?.listeners) ? gateway.spec.listeners : []) {
    const port = listener?.port;
    if (Number.isInteger(port) && port > 0 && port < 65536) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

function ownerReference(gateway: InputObject) {
  return {
    apiVersion: gateway.apiVersion ?? 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    name: gateway.metadata!.name!,
    uid: gateway.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * The pod template depends on the Gateway's name only, never on its listeners:
 * listener changes are hot swaps in the running proxy (no rollout, no dropped
 * connections). Readiness is the proxy's own status endpoint, which answers 200
 * once the current configuration is applied with all its ports open.
 */
/**
 * `spec.infrastructure.labels` and `.annotations` (GEP-1867): copied onto
 * everything the controller creates for the Gateway (Deployment, its pods,
 * Service). Our own labels win, since selectors depend on them.
 */
function infrastructureMetadata(gateway: InputObject): { labels: Record<string, string>; annotations: Record<string, string> } {
  const infrastructure = (gateway.spec?.infrastructure ?? {}) as { labels?: unknown; annotations?: unknown };
  const strings = (raw: unknown): Record<string, string> =>
    Object.fromEntries(Object.entries(raw && typeof raw === 'object' ? raw : {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  return { labels: strings(infrastructure.labels), annotations: strings(infrastructure.annotations) };
}

export function desiredDeployment(gateway: InputObject, image = proxyImage()): InputObject {
  const name = gateway.metadata!.name!;
  const namespace = gateway.metadata!.namespace!;
  const infrastructure = infrastructureMetadata(gateway);
  const labels = { ...infrastructure.labels, [GATEWAY_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels, annotations: infrastructure.annotations, ownerReferences: [ownerReference(gateway)] } as any,
    spec: {
      replicas: 1,
      selector: { matchLabels: { [GATEWAY_NAME_LABEL]: name } },
      template: {
        metadata: {
          labels: { ...infrastructure.labels, [GATEWAY_NAME_LABEL]: name, 'app.kubernetes.io/name': 'agw-workshop-proxy' },
          annotations: infrastructure.annotations,
        },
        spec: {
          serviceAccountName: PROXY_SERVICE_ACCOUNT,
          containers: [
            {
              name: 'proxy',
              image,
              args: ['gateway', 'proxy', '--gateway', `${namespace}/${name}`],
              ports: [{ name: 'status', containerPort: PROXY_STATUS_PORT, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: READINESS_PATH, port: PROXY_STATUS_PORT }, periodSeconds: 2 },
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ],
            },
          ],
        },
      },
    },
  };
}

export function desiredService(gateway: InputObject): InputObject {
  const name = gateway.metadata!.name!;
  const namespace = gateway.metadata!.namespace!;
  const infrastructure = infrastructureMetadata(gateway);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace,
      labels: { ...infrastructure.labels, [GATEWAY_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: infrastructure.annotations,
      ownerReferences: [ownerReference(gateway)],
    } as any,
    spec: {
      type: 'LoadBalancer',
      selector: { [GATEWAY_NAME_LABEL]: name },
      ports: listenerPorts(gateway).map((port) => ({ name: `port-${port}`, port, targetPort: port, protocol: 'TCP' })),
    },
  };
}

/** The fields we own, compared to decide whether an update is needed. */
function deploymentShape(d: InputObject | undefined): string {
  const container = d?.spec?.template?.spec?.containers?.[0];
  return canonicalJson({
    replicas: d?.spec?.replicas,
    image: container?.image,
    args: container?.args,
    ports: (container?.ports ?? []).map((p: any) => p.containerPort),
    probe: container?.readinessProbe?.httpGet,
    labels: d?.metadata?.labels?.[GATEWAY_NAME_LABEL],
  });
}

function serviceShape(s: InputObject | undefined): string {
  return canonicalJson({
    type: s?.spec?.type,
    selector: s?.spec?.selector,
    ports: (s?.spec?.ports ?? []).map((p: any) => [p.port, p.targetPort]),
    labels: s?.metadata?.labels?.[GATEWAY_NAME_LABEL],
  });
}

/** Whether every label and annotation we want (on the object and its pod template) is there with our value. */
function metadataCovers(current: InputObject, desired: InputObject): boolean {
  const covers = (have: Record<string, string> | undefined, want: Record<string, string> | undefined) =>
    Object.entries(want ?? {}).every(([key, value]) => have?.[key] === value);
  return (
    covers(current.metadata?.labels, desired.metadata?.labels) &&
    covers(current.metadata?.annotations, desired.metadata?.annotations) &&
    covers(current.spec?.template?.metadata?.labels, desired.spec?.template?.metadata?.labels) &&
    covers(current.spec?.template?.metadata?.annotations, desired.spec?.template?.metadata?.annotations)
  );
}

function find(objects: InputObject[] | undefined, namespace: string, name: string): InputObject | undefined {
  return objects?.find((o) => o.metadata?.namespace === namespace && o.metadata?.name === name);
}

export class ProxyWorkloads {
  private readonly serviceAccounts = new Set<string>();

  constructor(
    private readonly api: KubeApi,
    private readonly log: (line: string) => void,
    private readonly image = proxyImage(),
  ) {}

  /** Brings Deployments and Services in line with `ours` (the Gateways of our classes). */
  async reconcile(ours: InputObject[], input: TranslateInput): Promise<void> {
    const wanted = new Set(ours.map((g) => `${g.metadata?.namespace}/${g.metadata?.name}`));
    for (const gateway of ours) {
      if (!gateway.metadata?.uid || gateway.metadata.deletionTimestamp) continue;
      const namespace = gateway.metadata.namespace!;
      const name = gateway.metadata.name!;
      await this.ensureServiceAccount(namespace);
      await this.ensure(`/apis/apps/v1/namespaces/${namespace}/deployments`, desiredDeployment(gateway, this.image), find(input.deployments, namespace, name), deploymentShape);
      await this.ensure(`/api/v1/namespaces/${namespace}/services`, desiredService(gateway), find(input.services, namespace, name), serviceShape);
    }
    const leftovers = [
      ...(input.deployments ?? []).map((o) => ({ o, base: `/apis/apps/v1/namespaces/${o.metadata?.namespace}/deployments` })),
      ...input.services.map((o) => ({ o, base: `/api/v1/namespaces/${o.metadata?.namespace}/services` })),
    ].filter(({ o }) => o.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && !wanted.has(`${o.metadata?.namespace}/${o.metadata?.labels?.[GATEWAY_NAME_LABEL]}`));
    for (const { o, base } of leftovers) {
      await this.call('DELETE', `${base}/${o.metadata?.name}`, undefined, `delete ${o.kind ?? ''} ${o.metadata?.namespace}/${o.metadata?.name}`);
    }
  }

  private async ensure(base: string, desired: InputObject, current: InputObject | undefined, shape: (o: InputObject | undefined) => string): Promise<void> {
    const what = `${desired.kind} ${desired.metadata?.namespace}/${desired.metadata?.name}`;
    if (!current) {
      await this.call('POST', base, desired, `create ${what}`);
      return;
    }
    if (shape(current) === shape(desired) && metadataCovers(current, desired)) return;
    // Only the keys we own are set: others (kube-proxy's port-map annotation, a Deployment's revision) stay.
    const metadata = { labels: desired.metadata?.labels, annotations: desired.metadata?.annotations };
    await this.call('PATCH', `${base}/${desired.metadata?.name}`, { metadata, spec: desired.spec }, `update ${what}`, 'application/merge-patch+json');
  }

  private async ensureServiceAccount(namespace: string): Promise<void> {
    if (this.serviceAccounts.has(namespace)) return;
    const body = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: PROXY_SERVICE_ACCOUNT, namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } } };
    try {
      await this.api.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, body);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.statusCode === 409)) {
        this.log(`ServiceAccount ${namespace}/${PROXY_SERVICE_ACCOUNT} not created: ${(error as Error).message}`);
        return;
      }
    }
    this.serviceAccounts.add(namespace);
  }

  private async call(method: string, path: string, body: unknown, what: string, contentType?: string): Promise<void> {
    try {
      await this.api.request(method, path, body, contentType);
      this.log(what);
    } catch (error) {
      if (error instanceof KubeApiError && (error.statusCode === 409 || error.statusCode === 404)) return; // raced with another writer; the next snapshot settles it
      this.log(`${what} failed: ${(error as Error).message}`);
    }
  }
}
