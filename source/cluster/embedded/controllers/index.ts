// Entry point of the control-plane loops (Deployment→Pods, Services→EndpointSlices,
// LoadBalancer addresses, cert-manager) and the kubelet that runs pods.
// The API server process calls startControlPlane once the API listens.
import type { Store } from '../store-types.js';
import type { ClusterNetwork } from '../network.js';
import type { HomePaths } from '../../../state/home.js';

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

// Placeholder until the loops land: starts nothing, and says so.
export async function startControlPlane(ctx: ControlPlaneContext): Promise<ControlPlane> {
  ctx.log('control plane loops are not built yet: no pods will run');
  return { async stop() {} };
}
