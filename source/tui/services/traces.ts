// Where the lesson screen's trace view reads traces: Jaeger's query API of the
// cluster's trace service (observability/jaeger-query). In the embedded cluster
// its ClusterIP answers on this machine (kube-proxy forwards Service addresses
// on loopback); elsewhere the view reads a port-forward on localhost:16686, the
// lab text's own command, and says so when there is none.
import { recordedPortMap } from '../../cluster/port-map-annotation.js';
import type { ClusterClient } from '../../cluster/client.js';
import { traceViewsFromJaeger, type TracePaneState } from '../traces/trace-lines.js';

export const TRACE_SERVICE = { namespace: 'observability', name: 'jaeger-query', port: 16686, gatewayService: 'agentgateway' };
const PORT_FORWARD = `kubectl port-forward svc/${TRACE_SERVICE.name} -n ${TRACE_SERVICE.namespace} ${TRACE_SERVICE.port}:${TRACE_SERVICE.port}`;
const TIMEOUT_MS = 2000;

async function readTraces(base: string, limit: number): Promise<TracePaneState> {
  const res = await fetch(`${base}/api/traces?service=${TRACE_SERVICE.gatewayService}&limit=${limit}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!res.ok) return { traces: [], problem: `the trace service answered ${res.status}` };
  return { traces: traceViewsFromJaeger(await res.json()).slice(0, limit) };
}

export async function fetchRecentTraces(target: { embedded: boolean }, client: () => ClusterClient, limit: number): Promise<TracePaneState> {
  try {
    if (!target.embedded) return await readTraces(`http://127.0.0.1:${TRACE_SERVICE.port}`, limit);
    const service = await client().get({ apiVersion: 'v1', kind: 'Service', namespace: TRACE_SERVICE.namespace, name: TRACE_SERVICE.name });
    const ip = (service?.spec as { clusterIP?: unknown } | undefined)?.clusterIP;
    if (!service || typeof ip !== 'string') return { traces: [], problem: `No trace service: Service ${TRACE_SERVICE.namespace}/${TRACE_SERVICE.name} does not exist (the cluster's install creates it).` };
    const port = recordedPortMap(service as { metadata?: { annotations?: Record<string, string> } }).get(TRACE_SERVICE.port) ?? TRACE_SERVICE.port;
    return await readTraces(`http://${ip}:${port}`, limit);
  } catch (error) {
    const why = (error as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : (error as Error).message;
    return { traces: [], problem: target.embedded ? `The trace service did not answer (${why}).` : `No trace service on localhost:${TRACE_SERVICE.port} (${why}). In another terminal: ${PORT_FORWARD}` };
  }
}
