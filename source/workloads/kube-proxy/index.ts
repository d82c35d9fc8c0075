// `workload kube-proxy`: what the kube-system/kube-proxy pod runs (TCP and UDP). It watches
// Services and EndpointSlices through the API (informers, KUBECONFIG) and
// keeps a ProxyTable in line with them. /healthz on the pod address (port
// 10256, as the real kube-proxy) answers 200 once the first sync is done.
import http from 'node:http';
import * as k8s from '../../cluster/k8s-client.js';
import { ProxyTable } from './forwarder.js';
import { desiredFrontends, type ServiceLike, type SliceLike } from './desired.js';
import { closeServer, listenOn, untilSignal } from '../common/listen.js';
import { FlagError, parseFlags } from '../common/flags.js';
import { watchServicesAndSlices, type ServiceWatch } from '../common/service-watch.js';

const HEALTHZ_PORT = 10256;
const RETRY_BIND_MS = 2000;

export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { values: ['healthz-port', 'kubeconfig', 'v'] });
  const kubeconfig = flags.values.get('kubeconfig') ?? process.env.KUBECONFIG;
  if (!kubeconfig) throw new FlagError('no kubeconfig: set KUBECONFIG or --kubeconfig');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

  const table = new ProxyTable(log);
  let synced = false;
  let stopping = false;
  let running: Promise<void> = Promise.resolve();
  let again = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let watch: ServiceWatch | undefined;

  // One sync at a time; changes during a sync trigger one more.
  const sync = () => {
    if (stopping || !watch) return;
    const current = watch;
    if (again) return;
    again = true;
    running = running.then(async () => {
      again = false;
      await table.apply(desiredFrontends(current.services<ServiceLike>(), current.slices<SliceLike>(), log));
      if (table.pending > 0 && !retryTimer) {
        retryTimer = setTimeout(() => { retryTimer = undefined; sync(); }, RETRY_BIND_MS);
      }
    }).catch((error: unknown) => log(`kube-proxy: sync failed: ${(error as Error).message}`));
  };

  watch = await watchServicesAndSlices(kc, 'kube-proxy', log, sync);
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
    await watch.stop();
    await Promise.all([table.close(), closeServer(healthz)]);
  });
}
