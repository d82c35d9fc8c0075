// The controller: watch → translate → write status, and keep one proxy
// Deployment + LoadBalancer Service per Gateway of our GatewayClasses.
// Snapshots are processed one at a time; a snapshot that arrives meanwhile
// replaces any still waiting, so the controller always converges on the latest.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ObjectStatusUpdate } from '../ir/status-types.js';
import { translate } from '../translate/index.js';
import type { InputObject, TranslateInput } from '../translate/input-types.js';
import { KubeApi } from '../watch/kube-api.js';
import { watchSnapshot, type SnapshotWatch } from '../watch/snapshot-watch.js';
import { CONTROLLER_NAME } from './constants.js';
import { ProxyWorkloads } from './proxy-workloads.js';
import { StatusWriter } from './status-writer.js';

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  controllerName?: string;
  /** Proxy image (defaults to ghcr.io/agw-workshop/agw-workshop:<package version>). */
  image?: string;
  log?: (line: string) => void;
  /** Clock, for lastTransitionTime (tests may pin it). */
  now?: () => string;
}

export interface RunningController {
  /** Resolves after the first snapshot has been reconciled. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Gateways whose Accepted=False names the whole Gateway (not its listeners), as namespace/name. */
export function refusedGateways(statuses: ObjectStatusUpdate[]): string[] {
  const wholeGatewayReasons = new Set(['InvalidParameters', 'UnsupportedAddress']);
  return statuses
    .filter((s) => s.target.kind === 'Gateway')
    .filter((s) => ((s.status.conditions ?? []) as Array<{ type: string; status: string; reason: string }>).some((c) => c.type === 'Accepted' && c.status === 'False' && wholeGatewayReasons.has(c.reason)))
    .map((s) => `${s.target.namespace}/${s.target.name}`);
}

export function startController(options: ControllerOptions): RunningController {
  const controllerName = options.controllerName ?? CONTROLLER_NAME;
  const log = options.log ?? ((line: string) => process.stderr.write(`${new Date().toISOString()} controller: ${line}\n`));
  const now = options.now ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
  const api = new KubeApi(options.kubeConfig);
  const statusWriter = new StatusWriter(api, controllerName, log);
  const workloads = new ProxyWorkloads(api, log, options.image);

  let pending: TranslateInput | undefined;
  let running = false;
  let stopped = false;
  let firstDone: () => void = () => {};
  const firstReconcile = new Promise<void>((resolve) => (firstDone = resolve));

  async function reconcile(input: TranslateInput): Promise<void> {
    const result = translate(input, { controllerName, now: now() });
    const ours = new Set(result.gateways.map((g) => `${g.gateway.namespace}/${g.gateway.name}`));
    // A Gateway refused as a whole (its parametersRef or addresses cannot be honoured) gets no data
    // plane: a proxy for it could never be ready, and the conformance suite waits for every pod.
    for (const key of refusedGateways(result.statuses)) ours.delete(key);
    const gateways = input.gateways.filter((g: InputObject) => ours.has(`${g.metadata?.namespace}/${g.metadata?.name}`));
    await workloads.reconcile(gateways, input);
    await statusWriter.write(result.statuses, input);
  }

  async function drain(): Promise<void> {
    if (running) return;
    running = true;
    try {
      while (pending && !stopped) {
        const input = pending;
        pending = undefined;
        try {
          await reconcile(input);
        } catch (error) {
          log(`reconcile failed: ${(error as Error).stack ?? error}`);
        }
        firstDone();
      }
    } finally {
      running = false;
    }
  }

  const watch: SnapshotWatch = watchSnapshot(
    (input) => {
      pending = input;
      void drain();
    },
    { kubeConfig: options.kubeConfig, includeProxyDeployments: true, log },
  );

  return {
    ready: watch.ready.then(() => firstReconcile),
    async stop() {
      stopped = true;
      await watch.stop();
    },
  };
}
