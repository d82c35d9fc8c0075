// How everything outside the cluster process finds a Kubernetes API:
// explicit kubeconfig/context, else $KUBECONFIG, else in-cluster, else ~/.kube/config.
import { KubeConfig } from './k8s-client.js';

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
}

export function loadKubeConfig(options: ConnectOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  const file = options.kubeconfig ?? process.env.KUBECONFIG;
  if (file) kc.loadFromFile(file);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (options.context) kc.setCurrentContext(options.context);
  return kc;
}
