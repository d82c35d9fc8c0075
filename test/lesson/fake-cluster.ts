// An in-memory ClusterClient for testing the runner's journal and cleanup
// logic without a cluster. Its tiny "controller" writes the status the
// lessons wait for (Available, Programmed, route acceptance by listener name and hostname), and
// gives the Gateway a LoadBalancer Service. It is never used for probes.
import type { ClusterClient, KubeObject, ObjectRef } from '../../source/cluster/client.js';

function key(ref: ObjectRef): string {
  return `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function content(o: KubeObject): string {
  const { metadata, status: _s, ...rest } = o;
  return JSON.stringify({ rest, labels: metadata.labels ?? null });
}

export class FakeCluster implements ClusterClient {
  readonly server = 'https://fake.invalid';
  readonly context = 'fake';
  readonly objects = new Map<string, KubeObject>();
  readonly calls: string[] = [];
  private rv = 1;
  /** Throw (as a crash would) on this mutating call number (1-based, counted since the cluster was made). */
  failOnMutation?: number;
  private mutations = 0;

  get mutationCount(): number {
    return this.mutations;
  }

  async version(): Promise<string> {
    return 'v1.32.0-fake';
  }

  seed(objects: KubeObject[]): void {
    for (const o of objects) this.store(clone(o));
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const found = this.objects.get(key(ref));
    return found ? clone(found) : undefined;
  }

  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]> {
    const [labelKey, labelValue] = (labelSelector ?? '').split('=');
    return [...this.objects.values()]
      .filter((o) => o.apiVersion === apiVersion && o.kind === kind && (!namespace || o.metadata.namespace === namespace))
      .filter((o) => !labelKey || (o.metadata.labels as Record<string, string> | undefined)?.[labelKey] === labelValue)
      .map(clone);
  }

  async apply(object: KubeObject) {
    this.mutation(`apply ${object.kind}/${object.metadata.name}`);
    const before = this.objects.get(key(this.ref(object)));
    if (before && content(before) === content(object)) return { object: clone(before), action: 'unchanged' as const };
    const stored = this.store(clone(object), before);
    return { object: clone(stored), action: before ? ('configured' as const) : ('created' as const) };
  }

  async replace(object: KubeObject): Promise<KubeObject> {
    this.mutation(`replace ${object.kind}/${object.metadata.name}`);
    const before = this.objects.get(key(this.ref(object)));
    const next = clone(object);
    // As the API server: a Service's clusterIP is immutable, and an update that omits it keeps the allocated one.
    if (before?.kind === 'Service') {
      const was = (before.spec as { clusterIP?: string }).clusterIP;
      const spec = (next.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[] };
      if (was && spec.clusterIP && spec.clusterIP !== was) throw new Error(`replace Service ${object.metadata.name}: spec.clusterIP: Invalid value: "${spec.clusterIP}": field is immutable (HTTP 422)`);
      if (was && !spec.clusterIP) next.spec = { ...spec, clusterIP: was, clusterIPs: [was] };
    }
    return clone(this.store(next, before));
  }

  async delete(ref: ObjectRef): Promise<'deleted' | 'not-found'> {
    this.mutation(`delete ${ref.kind}/${ref.name}`);
    return this.objects.delete(key(ref)) ? 'deleted' : 'not-found';
  }

  async waitFor(ref: ObjectRef, done: (o: KubeObject | undefined) => boolean, options: { timeoutMs: number; signal?: AbortSignal }) {
    const deadline = Date.now() + options.timeoutMs;
    for (let i = 0; i < 1000; i++) {
      if (options.signal?.aborted) throw options.signal.reason;
      const o = await this.get(ref);
      if (done(o)) return o;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    // As the real client: the last object seen goes with the error, for the step's message.
    throw Object.assign(new Error(`timed out waiting for ${ref.kind} ${ref.name}`), { lastSeen: await this.get(ref) });
  }

  private ref(o: KubeObject): ObjectRef {
    return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace };
  }

  private mutation(what: string): void {
    this.calls.push(what);
    this.mutations++;
    if (this.failOnMutation === this.mutations) throw new Error(`simulated crash during ${what}`);
  }

  private store(o: KubeObject, before?: KubeObject): KubeObject {
    const generation = ((before?.metadata as { generation?: number })?.generation ?? 0) + 1;
    o.metadata = { ...o.metadata, resourceVersion: String(++this.rv), generation };
    this.objects.set(key(this.ref(o)), o);
    this.reconcile();
    return o;
  }

  /** The status the lessons wait for, recomputed after every write. */
  private reconcile(): void {
    const gateways = [...this.objects.values()].filter((o) => o.kind === 'Gateway');
    for (const o of this.objects.values()) {
      const generation = (o.metadata as { generation?: number }).generation;
      if (o.kind === 'Deployment') o.status = { conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }] };
      if (o.kind === 'GatewayClass') o.status = { conditions: [{ type: 'Accepted', status: 'True', observedGeneration: generation }] };
      if (o.kind === 'Gateway') o.status = { conditions: [{ type: 'Programmed', status: 'True', observedGeneration: generation }] };
      if (o.kind === 'HTTPRoute') {
        const hostnames = ((o.spec as { hostnames?: string[] }).hostnames ?? []);
        // As the gateway's controller: a parentRef's sectionName narrows it to the listener of that name.
        const sectionNames = ((o.spec as { parentRefs?: { sectionName?: string }[] }).parentRefs ?? []).map((p) => p.sectionName);
        const listeners = gateways
          .flatMap((g) => (g.spec as { listeners: { name: string; hostname?: string }[] }).listeners)
          .filter((l) => sectionNames.length === 0 || sectionNames.some((s) => s === undefined || s === l.name));
        const accepted = listeners.some((l) => !l.hostname || hostnames.length === 0 || hostnames.includes(l.hostname));
        const reason = accepted ? 'Accepted' : listeners.length === 0 ? 'NoMatchingParent' : 'NoMatchingListenerHostname';
        o.status = {
          parents: [
            {
              parentRef: { name: 'agentgateway-proxy' },
              conditions: [{ type: 'Accepted', status: accepted ? 'True' : 'False', reason, observedGeneration: generation }],
            },
          ],
        };
      }
    }
    for (const g of gateways) {
      const name = `${g.metadata.name}`;
      const k = key({ apiVersion: 'v1', kind: 'Service', name, namespace: g.metadata.namespace });
      if (!this.objects.has(k)) {
        this.objects.set(k, {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace: g.metadata.namespace, labels: { 'gateway.networking.k8s.io/gateway-name': g.metadata.name }, resourceVersion: String(++this.rv) },
          spec: { type: 'LoadBalancer' },
          status: { loadBalancer: { ingress: [{ ip: '127.99.200.1' }] } },
        });
      }
    }
  }
}
