// What translation reads: a snapshot of plain API objects, exactly as the API
// returns them (JSON). Nothing here is trusted: every field may be absent or
// of the wrong type, so readers go through the guards in `fields.ts`.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

/** Any Kubernetes object; `spec`, `data` and `status` are read defensively. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: any;
  status?: any;
  data?: Record<string, string>;
  type?: string;
}

export interface TranslateInput {
  gatewayClasses: KubeObject[];
  gateways: KubeObject[];
  httpRoutes: KubeObject[];
  tlsRoutes: KubeObject[];
  /** Status only: GRPCRoutes are not served yet, and say so in their status. */
  grpcRoutes: KubeObject[];
  referenceGrants: KubeObject[];
  secrets: KubeObject[];
  configMaps: KubeObject[];
  services: KubeObject[];
  endpointSlices: KubeObject[];
  backendTLSPolicies: KubeObject[];
  agentgatewayBackends: KubeObject[];
  agentgatewayPolicies: KubeObject[];
  kgatewayBackends: KubeObject[];
  glooTrafficPolicies: KubeObject[];
  /** For allowedRoutes namespace selectors. */
  namespaces: KubeObject[];
  /**
   * The proxy Deployments (optional). When present, a Gateway is Programmed only
   * once its proxy Deployment has a ready replica; when absent (the proxy's own
   * translation), readiness is not judged.
   */
  deployments?: KubeObject[];
  /**
   * The proxy Pods (optional): a proxy that cannot bind a port below 1024
   * records where it serves it instead (annotation agw-workshop.dev/port-map),
   * and listener status says so.
   */
  pods?: KubeObject[];
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
