// Addresses of one embedded cluster. Every cluster takes its own second octet
// of 127/8 (chosen free at first start and persisted), so two homes can run
// side by side and their pods, Services and load balancers never collide.
//   pods            127.N.1.1 – 127.N.63.254
//   Service IPs     127.N.96.1 – …     (ClusterIP, served by the kube-proxy pod)
//   load balancers  127.N.200.1 – …    (LoadBalancer ingress, also kube-proxy)
// Where only 127.0.0.1 exists (macOS), everything shares 127.0.0.1 and gets
// unique ports instead; the mapping is recorded in pod and Service status.
export interface ClusterNetwork {
  /** Second octet of the cluster's 127/8 block, 16–250. */
  octet: number;
  /** False where only 127.0.0.1 is usable: addresses collapse to 127.0.0.1 and ports are remapped. */
  loopbackRange: boolean;
}

export function podAddress(network: ClusterNetwork, index: number): string {
  if (!network.loopbackRange) return '127.0.0.1';
  return `127.${network.octet}.${1 + Math.floor(index / 254)}.${1 + (index % 254)}`;
}

export function serviceAddress(network: ClusterNetwork, index: number): string {
  if (!network.loopbackRange) return '127.0.0.1';
  return `127.${network.octet}.${96 + Math.floor(index / 254)}.${1 + (index % 254)}`;
}

export function loadBalancerAddress(network: ClusterNetwork, index: number): string {
  if (!network.loopbackRange) return '127.0.0.1';
  return `127.${network.octet}.${200 + Math.floor(index / 254)}.${1 + (index % 254)}`;
}
