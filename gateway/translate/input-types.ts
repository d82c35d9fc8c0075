// What translation reads: a snapshot of plain API objects, exactly as the API
// returns them (JSON). Nothing here is trusted: every field may be absent or
// of the wrong type, so readers go through the guards in `fields.ts`.
import type { KubeObject, ObjectMeta } from '../../source/cluster/kube-object.js';

/**
 * The one KubeObject (source/cluster/kube-object.ts) as translation reads it:
 * nothing trusted, so every field may be absent; `spec`, `data` and `status`
 * are read defensively.
 */
export type InputObject = Partial<Pick<KubeObject, 'apiVersion' | 'kind'>> & {
  metadata?: Partial<ObjectMeta>;
  spec?: any;
  status?: any;
  data?: Record<string, string>;
  type?: string;
};

export interface TranslateInput {
  gatewayClasses: InputObject[];
  gateways: InputObject[];
  httpRoutes: InputObject[];
  tlsRoutes: InputObject[];
  /** Status only: GRPCRoutes are not served yet, and say so in their status. */
  grpcRoutes: InputObject[];
  referenceGrants: InputObject[];
  secrets: InputObject[];
  configMaps: InputObject[];
  services: InputObject[];
  endpointSlices: InputObject[];
  backendTLSPolicies: InputObject[];
  agentgatewayBackends: InputObject[];
  agentgatewayPolicies: InputObject[];
  kgatewayBackends: InputObject[];
  glooTrafficPolicies: InputObject[];
  /** For allowedRoutes namespace selectors. */
  namespaces: InputObject[];
  /**
   * The proxy Deployments (optional). When present, a Gateway is Programmed only
   * once its proxy Deployment has a ready replica; when absent (the proxy's own
   * translation), readiness is not judged.
   */
  deployments?: InputObject[];
  /**
   * The proxy Pods (optional): a proxy that cannot bind a port below 1024
   * records where it serves it instead (annotation agw-workshop.dev/port-map),
   * and listener status says so.
   */
  pods?: InputObject[];
}

export interface TranslateOptions {
  /** GatewayClasses with this spec.controllerName are ours. */
  controllerName: string;
  /** RFC 3339 time used for lastTransitionTime of new conditions (translation never reads the clock). */
  now: string;
}

export function emptyTranslateInput(): TranslateInput {
  return {
    gatewayClasses: [],
    gateways: [],
    httpRoutes: [],
    tlsRoutes: [],
    grpcRoutes: [],
    referenceGrants: [],
    secrets: [],
    configMaps: [],
    services: [],
    endpointSlices: [],
    backendTLSPolicies: [],
    agentgatewayBackends: [],
    agentgatewayPolicies: [],
    kgatewayBackends: [],
    glooTrafficPolicies: [],
    namespaces: [],
    deployments: [],
  };
}
