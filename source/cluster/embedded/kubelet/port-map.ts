// Ports a pod (or kube-proxy, for a Service) binds instead of the declared
// ones, and how the mapping is written down. Two reasons to remap:
// - below 1024 without root: the workload binds port+8000 (443 → 8443);
// - where only 127.0.0.1 exists (no loopback range), every pod shares one
//   address, so each pod's declared ports get unique free ports.
// The mapping is recorded in the `agw-workshop.dev/port-map` annotation
// ("443:8443,8000:40123") and handed to the process as AGW_PORT_MAP, which
// the workloads (source/workloads/common/listen.ts) apply when they bind.

export const PORT_MAP_ANNOTATION = 'agw-workshop.dev/port-map';
export const PORT_MAP_ENV = 'AGW_PORT_MAP';
const UNPRIVILEGED_OFFSET = 8000;

export function unprivilegedPort(port: number, privileged: boolean): number {
  return !privileged && port > 0 && port < 1024 ? port + UNPRIVILEGED_OFFSET : port;
}

export function formatPortMap(map: Map<number, number>): string {
  return [...map].sort(([a], [b]) => a - b).map(([from, to]) => `${from}:${to}`).join(',');
}

/**
 * Parses "443:8443,80:8080"; entries that are not two port numbers are errors
 * naming the entry. The JSON form the gateway proxy writes on its own pod
 * (`{"443":8443}`, gateway/proxy/pod-annotation.ts) is read as well.
 */
export function parsePortMap(text: string | undefined): Map<number, number> {
  const map = new Map<number, number>();
  if (text?.trim().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`port map "${text}" is neither <port>:<port>,... nor a JSON object`);
    }
    for (const [from, to] of Object.entries(parsed as Record<string, unknown>)) {
      if (!/^\d{1,5}$/.test(from) || !Number.isInteger(to)) throw new Error(`port map entry "${from}": ${JSON.stringify(to)} is not <port>: <port>`);
      map.set(Number(from), to as number);
    }
    return map;
  }
  for (const entry of (text ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const match = /^(\d{1,5}):(\d{1,5})$/.exec(entry);
    if (!match) throw new Error(`port map entry "${entry}" is not <port>:<port>`);
    map.set(Number(match[1]), Number(match[2]));
  }
  return map;
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
