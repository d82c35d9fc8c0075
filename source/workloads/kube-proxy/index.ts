// `workload kube-proxy`: what the kube-system/kube-proxy pod runs (TCP and UDP). It watches
// Services and EndpointSlices through the API (informers, KUBECONFIG) and
// keeps a ProxyTable in line with them. /healthz on the pod address (port
// 10256, as the real kube-proxy) answers 200 once the first sync is done.
import http from 'node:http';
import type * as k8sTypes from '@kubernetes/client-node';
import * as k8s from '../../cluster/k8s-client.js';
import { ProxyTable } from './forwarder.js';
import { desiredFrontends, type ServiceLike, type SliceLike } from './desired.js';
import { closeServer, listenOn, untilSignal } from '../common/listen.js';
import { FlagError, parseFlags } from '../common/flags.js';

const HEALTHZ_PORT = 10256;
const RESTART_DELAY_MS = 1000;
const RETRY_BIND_MS = 2000;

export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { values: ['healthz-port', 'kubeconfig', 'v'] });
  const kubeconfig = flags.values.get('kubeconfig') ?? process.env.KUBECONFIG;
  if (!kubeconfig) throw new FlagError('no kubeconfig: set KUBECONFIG or --kubeconfig');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

  const services = k8s.makeInformer(kc, '/api/v1/services', () => core.listServiceForAllNamespaces());
  const slices = k8s.makeInformer(kc, '/apis/discovery.k8s.io/v1/endpointslices', () => discovery.listEndpointSliceForAllNamespaces());
  const table = new ProxyTable(log);
  let synced = false;
  let stopping = false;
  let running: Promise<void> = Promise.resolve();
  let again = false;
  let retryTimer: NodeJS.Timeout | undefined;

  // One sync at a time; changes during a sync trigger one more.
  const sync = () => {
    if (stopping) return;
    if (again) return;
    again = true;
    running = running.then(async () => {
      again = false;
      await table.apply(desiredFrontends(services.list() as unknown as ServiceLike[], slices.list() as unknown as SliceLike[], log));
      if (table.pending > 0 && !retryTimer) {
        retryTimer = setTimeout(() => { retryTimer = undefined; sync(); }, RETRY_BIND_MS);
      }
    }).catch((error: unknown) => log(`kube-proxy: sync failed: ${(error as Error).message}`));
  };

  for (const informer of [services, slices] as Array<k8sTypes.Informer<k8sTypes.KubernetesObject>>) {
    for (const verb of [k8s.ADD, k8s.UPDATE, k8s.DELETE] as const) informer.on(verb, sync);
    informer.on(k8s.ERROR, (error) => {
      if (stopping) return;
      log(`kube-proxy: watch error: ${error instanceof Error ? error.message : String(error)}; restarting in ${RESTART_DELAY_MS} ms`);
      setTimeout(() => { if (!stopping) void informer.start().catch(() => {}); }, RESTART_DELAY_MS);
    });
  }
  await Promise.all([services.start(), slices.start()]);
  sync();
  await running;
  synced = true;
  log('kube-proxy: initial sync done');

  const healthz = http.createServer((request, response) => {
    response.writeHead(synced ? 200 : 503, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ synced, bound: table.bound(), pendingBinds: table.pending }));
  });
  const healthPort = Number(flags.values.get('healthz-port') ?? HEALTHZ_PORT);
  await listenOn(healthz, healthPort, 'kube-proxy healthz');

  return untilSignal(async () => {
    stopping = true;
    if (retryTimer) clearTimeout(retryTimer);
    await Promise.all([services.stop(), slices.stop()]).catch(() => {});
    await Promise.all([table.close(), closeServer(healthz)]);
  });
}
