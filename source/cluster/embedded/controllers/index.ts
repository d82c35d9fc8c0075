// Entry point of the control-plane loops (Deployment→Pods, Services→EndpointSlices,
// LoadBalancer addresses, cert-manager) and the kubelet that runs pods.
// The API server process calls startControlPlane once the API listens.
import type { Store } from '../store/store-types.js';
import type { ClusterNetwork } from '../network/network.js';
import type { HomePaths } from '../../../state/home.js';
import type { Loop, LoopContext } from './loop.js';
import { startNamespaceLoop } from './namespaces.js';
import { startDeploymentLoop } from './deployments.js';
import { startServiceLoop } from './services.js';
import { startEndpointSliceLoop } from './endpointslices.js';
import { startCertManagerLoops } from './cert-manager/index.js';
import { startSystemPodsLoop } from './system-pods.js';
import { startKubelet } from '../kubelet/index.js';

export interface ControlPlaneContext {
  store: Store;
  paths: HomePaths;
  network: ClusterNetwork;
  /** https://127.0.0.1:PORT of the API server. */
  apiUrl: string;
  /** Kubeconfig pods get as KUBECONFIG. */
  kubeconfigPath: string;
  /** Absolute path of dist/source/cli.js: what pod processes run. */
  cliPath: string;
  log: (line: string) => void;
}

export interface ControlPlane {
  /** Stops every loop and every pod process (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

export async function startControlPlane(ctx: ControlPlaneContext): Promise<ControlPlane> {
  const loopContext: LoopContext = { store: ctx.store, network: ctx.network, log: ctx.log };
  // The kubelet first: it kills pod processes a crashed previous run left behind before anything binds.
  const kubelet = await startKubelet({
    store: ctx.store,
    network: ctx.network,
    home: ctx.paths.home,
    clusterDir: ctx.paths.cluster,
    podLogsDir: ctx.paths.podLogs,
    kubeconfigPath: ctx.kubeconfigPath,
    cliPath: ctx.cliPath,
    log: ctx.log,
  });
  const loops: Loop[] = [];
  const starters: Array<(c: LoopContext) => Loop | Loop[]> = [
    startNamespaceLoop,
    startServiceLoop,
    startEndpointSliceLoop,
    startDeploymentLoop,
    startCertManagerLoops,
    startSystemPodsLoop,
  ];
  for (const start of starters) {
    try {
      loops.push(...[start(loopContext)].flat());
    } catch (error) {
      // One broken loop must not take the cluster down; say which.
      ctx.log(`control plane: a loop failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    }
  }
  ctx.log(`control plane: ${loops.map((l) => l.name).join(', ')} and the kubelet are running`);
  return {
    async stop() {
      for (const loop of loops) loop.stop();
      await kubelet.stop();
    },
  };
}
