// Ports a pod (or kube-proxy, for a Service) binds instead of the declared
// ones, and how the mapping is written down. Two reasons to remap:
// - below 1024 without root: the workload binds port+8000 (443 → 8443);
// - where only 127.0.0.1 exists (no loopback range), every pod shares one
//   address, so each pod's declared ports get unique free ports.
// The mapping is recorded in the `agw-workshop.dev/port-map` annotation
// ("443:8443,8000:40123") and handed to the process as AGW_PORT_MAP, which
// the workloads (source/workloads/common/listen.ts) apply when they bind.

// The annotation, the env variable and the text form (format/parse) are
// shared with the gateway: source/cluster/port-map-annotation.ts.

const UNPRIVILEGED_OFFSET = 8000;

export function unprivilegedPort(port: number, privileged: boolean): number {
  return !privileged && port > 0 && port < 1024 ? port + UNPRIVILEGED_OFFSET : port;
}

export interface PodPortMapInput {
  /** Declared containerPorts of every container of the pod. */
  containerPorts: number[];
  privileged: boolean;
  loopbackRange: boolean;
  /** Gives a free port on 127.0.0.1 (only called without a loopback range). */
  allocate: () => number;
}

/** The mapping for one pod; empty when every port is bound as declared. */
export function podPortMap(input: PodPortMapInput): Map<number, number> {
  const map = new Map<number, number>();
  for (const port of new Set(input.containerPorts)) {
    const mapped = input.loopbackRange ? unprivilegedPort(port, input.privileged) : input.allocate();
    if (mapped !== port) map.set(port, mapped);
  }
  return map;
}

/** The port a process really binds for `port`, given its AGW_PORT_MAP. */
export function effectivePort(port: number, map: Map<number, number>, privileged: boolean): number {
  return map.get(port) ?? unprivilegedPort(port, privileged);
}
