// `agw-workshop gateway proxy --gateway ns/name`: the data plane of one
// Gateway. Watches the API (informers), translates each snapshot, picks this
// Gateway's IR and swaps it into the data plane when its version changes.
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { CONTROLLER_NAME } from '../controller/constants.js';
import { Dataplane, type UpdateResult } from '../dataplane/index.js';
import type { GatewayIR } from '../ir/types.js';
import { translate } from '../translate/index.js';
import { KubeApi } from '../watch/kube-api.js';
import { watchSnapshot, type SnapshotWatch } from '../watch/snapshot-watch.js';
import { ConfiguredTracing } from '../tracing/configured-tracing.js';
import { annotatePortMap } from './pod-annotation.js';
import { startStatusServer, statusPort, type Readiness } from './status-server.js';

const USAGE = `Usage: agw-workshop gateway proxy --gateway NAMESPACE/NAME [--kubeconfig FILE] [--context NAME] [--workers N]

Serves the listeners of one Gateway on $AGW_POD_IP (default 127.0.0.1).
--workers N (default 1): N processes (node:cluster) serve the same ports, each
watching the API on its own; the kernel spreads connections among them.
Access log: one logfmt line per request on stdout. Operational log: stderr.`;

export interface ProxyOptions {
  gateway: { namespace: string; name: string };
  kubeConfig: KubeConfig;
  bindAddress: string;
  /** The proxy's own Pod, for the port-map annotation (POD_NAMESPACE/POD_NAME). */
  pod?: { namespace: string; name: string };
  controllerName?: string;
  log?: (line: string) => void;
  accessLog?: (line: string) => void;
  /** Serve the readiness endpoint on this port (the pod's status port); absent in tests. */
  statusPort?: number;
}

export interface RunningProxy {
  dataplane: Dataplane;
  /** Resolves after the first snapshot was translated and applied. */
  ready: Promise<void>;
  /** The last update applied (for tests and logs). */
  lastUpdate(): UpdateResult | undefined;
  /** What the readiness endpoint answers. */
  readiness(): Readiness;
  /** Stops watching and serving; with `drainMs`, in-flight requests get that long to finish. */
  stop(drainMs?: number): Promise<void>;
}

function emptyIR(gateway: { namespace: string; name: string }): GatewayIR {
  return { gateway, version: 'absent', ports: [] };
}

export function startProxy(options: ProxyOptions): RunningProxy {
  const log = options.log ?? ((line: string) => process.stderr.write(`${new Date().toISOString()} proxy ${options.gateway.namespace}/${options.gateway.name}: ${line}\n`));
  const api = new KubeApi(options.kubeConfig);
  const key = `${options.gateway.namespace}/${options.gateway.name}`;
  const tracing = new ConfiguredTracing(options.gateway.namespace, log, { 'gateway.name': key, ...(options.pod ? { 'k8s.pod.name': options.pod.name, 'k8s.namespace.name': options.pod.namespace } : {}) });
  const dataplane = new Dataplane({
    tracing,
    bindAddress: options.bindAddress,
    accessLog: options.accessLog,
    log,
    onPortMap: (map) => {
      if (!options.pod) {
        if (Object.keys(map).length) log(`port map ${JSON.stringify(map)} not recorded on a Pod: POD_NAME/POD_NAMESPACE are not set`);
        return;
      }
      annotatePortMap(api, options.pod.namespace, options.pod.name, map).then(
        () => log(`recorded port map ${JSON.stringify(map)} on pod ${options.pod!.namespace}/${options.pod!.name}`),
        (error: Error) => log(`could not record the port map on pod ${options.pod!.namespace}/${options.pod!.name}: ${error.message}`),
      );
    },
  });
  let appliedVersion: string | undefined;
  let last: UpdateResult | undefined;
  let firstApplied: () => void = () => {};
  const first = new Promise<void>((resolve) => (firstApplied = resolve));
  let warnedAbsent = false;

  const onSnapshot = (input: Parameters<typeof translate>[0]) => {
    tracing.configure(input);
    const started = performance.now();
    let ir: GatewayIR | undefined;
    try {
      const result = translate(input, { controllerName: options.controllerName ?? CONTROLLER_NAME, now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
      ir = result.gateways.find((g) => `${g.gateway.namespace}/${g.gateway.name}` === key);
    } catch (error) {
      log(`ERROR translation failed; keeping the current configuration: ${(error as Error).stack ?? error}`);
      firstApplied();
      return;
    }
    if (!ir) {
      if (!warnedAbsent) log(`Gateway ${key} is not found or not of our GatewayClasses; serving nothing until it is`);
      warnedAbsent = true;
      ir = emptyIR(options.gateway);
    } else {
      warnedAbsent = false;
    }
    if (ir.version === appliedVersion) {
      firstApplied();
      return;
    }
    appliedVersion = ir.version;
    const translateMs = Math.round((performance.now() - started) * 10) / 10;
    dataplane.update(ir).then(
      (result) => {
        last = result;
        log(`applied ${ir!.version} (translate ${translateMs} ms, swap ${result.applyMs} ms)`);
        if (result.errors.length) scheduleRetry(`${result.errors.length} port(s) could not be opened`);
        else retries = 0;
        firstApplied();
      },
      (error: Error) => {
        log(`ERROR could not apply ${ir!.version}: ${error.message}`);
        scheduleRetry(error.message);
        firstApplied();
      },
    );
  };

  // A port still held by a previous process (a restarting pod) frees up soon: try the same snapshot again.
  let retryTimer: NodeJS.Timeout | undefined;
  let retries = 0;
  const scheduleRetry = (why: string) => {
    appliedVersion = undefined;
    if (retryTimer || stopped) return;
    const delay = Math.min(10_000, 500 * 2 ** Math.min(retries++, 5));
    log(`retrying in ${delay} ms (${why})`);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      onSnapshot(watch.snapshot());
    }, delay);
    retryTimer.unref();
  };
  let stopped = false;

  let configured = false;
  first.then(() => (configured = true));
  const readiness = (): Readiness => {
    if (!configured) return { ready: false, reason: 'waiting for the first configuration' };
    if (last && last.errors.length > 0) return { ready: false, reason: `${last.errors.length} port(s) could not be opened` };
    return { ready: true, reason: `serving configuration ${appliedVersion ?? 'none'}` };
  };
  const status = options.statusPort === undefined ? undefined : startStatusServer(options.bindAddress, options.statusPort, readiness, log);

  const watch: SnapshotWatch = watchSnapshot(onSnapshot, { kubeConfig: options.kubeConfig, log, debounceMs: 10 });
  return {
    dataplane,
    ready: watch.ready.then(() => first),
    lastUpdate: () => last,
    readiness,
    async stop(drainMs = 0) {
      stopped = true;
      await status?.close();
      if (retryTimer) clearTimeout(retryTimer);
      await watch.stop();
      if (drainMs > 0) await dataplane.drain(drainMs);
      else await dataplane.close();
      await tracing.shutdown();
    },
  };
}

function parseGateway(value: string | undefined): { namespace: string; name: string } | undefined {
  const m = value ? /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(value) : null;
  return m ? { namespace: m[1], name: m[3] } : undefined;
}

const MAX_WORKERS = 16;

/**
 * Multi-worker mode, the primary: forks `count` workers that run this same command line (each a
 * whole proxy: its own watch and data plane; node:cluster shares the listening sockets, and
 * SCHED_NONE lets each worker accept on them itself instead of the primary handing every
 * connection over IPC). Node 20 has no `reusePort` (22.12+). A worker that dies stops the
 * rest, so the pod restarts as one; SIGTERM/SIGINT are passed on and awaited.
 */
async function runWorkers(count: number): Promise<number> {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const workers = Array.from({ length: count }, () => cluster.fork());
  let stopping = false;
  let failed = false;
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of workers) if (!worker.isDead()) worker.process.kill(signal);
  };
  process.once('SIGTERM', () => stopAll('SIGTERM'));
  process.once('SIGINT', () => stopAll('SIGTERM'));
  await Promise.all(workers.map((worker) => new Promise<void>((resolve) => {
    worker.once('exit', (code, signal) => {
      if (!stopping) {
        failed = true;
        process.stderr.write(`agw-workshop gateway proxy: worker ${worker.id} exited (${signal ?? code}); stopping the others\n`);
        stopAll('SIGTERM');
      }
      resolve();
    });
  })));
  return failed ? 1 : 0;
}

export async function runProxy(argv: string[]): Promise<number> {
  let values: { gateway?: string; kubeconfig?: string; context?: string; workers?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { gateway: { type: 'string' }, kubeconfig: { type: 'string' }, context: { type: 'string' }, workers: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    process.stderr.write(`agw-workshop gateway proxy: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const gateway = parseGateway(values.gateway);
  if (!gateway) {
    process.stderr.write(`agw-workshop gateway proxy: --gateway NAMESPACE/NAME is required (got ${JSON.stringify(values.gateway ?? '')})\n${USAGE}\n`);
    return 2;
  }
  const workers = values.workers === undefined ? 1 : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    process.stderr.write(`agw-workshop gateway proxy: --workers must be a whole number from 1 to ${MAX_WORKERS} (got ${JSON.stringify(values.workers)})\n${USAGE}\n`);
    return 2;
  }
  if (workers > 1 && cluster.isPrimary) return runWorkers(workers);
  const code = await serve(gateway, values);
  // A worker's IPC channel to the primary would keep it alive once it is done.
  if (cluster.isWorker) cluster.worker?.disconnect();
  return code;
}

async function serve(gateway: { namespace: string; name: string }, values: { kubeconfig?: string; context?: string }): Promise<number> {
  const { loadKubeConfig } = await import('../../source/cluster/kubeconfig.js');
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = loadKubeConfig({ kubeconfig: values.kubeconfig, context: values.context });
  } catch (error) {
    process.stderr.write(`agw-workshop gateway proxy: cannot load kubeconfig: ${(error as Error).message}\n`);
    return 1;
  }
  const podName = process.env.POD_NAME;
  const podNamespace = process.env.POD_NAMESPACE;
  const proxy = startProxy({
    gateway,
    kubeConfig,
    bindAddress: process.env.AGW_POD_IP || '127.0.0.1',
    pod: podName && podNamespace ? { namespace: podNamespace, name: podName } : undefined,
    statusPort: statusPort(),
  });
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await Promise.race([proxy.ready, stopped]);
  await stopped;
  // Like a pod's terminationGracePeriod: in-flight requests (streams) get a few seconds.
  await proxy.stop(5000);
  return 0;
}
