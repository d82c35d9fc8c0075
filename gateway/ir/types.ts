// The intermediate representation (IR) of one Gateway: everything its proxy
// needs, resolved (Secrets read, Services turned into endpoints, routes sorted
// by Gateway API precedence) and nothing it does not. `translate` produces it
// from API objects (pure); the data plane consumes it and swaps it atomically.
// Shaped for what comes next: passthrough (tlsRoutes), frontend client-cert
// validation (FrontendValidationIR), BackendTLSPolicy and the Gateway's backend
// client certificate (UpstreamTlsIR), JWT (RoutePoliciesIR), forward proxy (BackendIR 'dynamic-forward-proxy').

export interface NamespacedName {
  namespace: string;
  name: string;
}

/** The whole configuration of one Gateway's proxy. */
export interface GatewayIR {
  gateway: NamespacedName;
  /** Content hash of this IR; logged on every swap. */
  version: string;
  /** One socket per port; several listeners may share it (chosen by SNI). */
  ports: PortIR[];
}

export interface PortIR {
  port: number;
  /** 'http': plaintext HTTP listeners; 'tls': HTTPS and TLS listeners (SNI chooses). */
  transport: 'http' | 'tls';
  /** In precedence order for SNI selection: exact hostname, longest wildcard, then no hostname. */
  listeners: ListenerIR[];
}

export interface ListenerIR {
  /** The listener's `name` (a route's `sectionName`). */
  name: string;
  protocol: 'HTTP' | 'HTTPS' | 'TLS';
  /** Exact (`a.example.com`) or wildcard (`*.example.com`); absent matches any name. */
  hostname?: string;
  tls?: ListenerTlsIR;
  /** HTTP/HTTPS: route entries, already in match precedence order. */
  routes: HttpRouteEntryIR[];
  /** TLS listeners: TLSRoute targets (passthrough forwards bytes; terminate forwards plaintext). */
  tlsRoutes: TlsRouteEntryIR[];
}

export interface ListenerTlsIR {
  mode: 'Terminate' | 'Passthrough';
  /** Terminate: the serving certificates (first usable one is served). */
  certificates: CertificateIR[];
  /** ALPN protocols offered, in preference order (h2, http/1.1). */
  alpnProtocols: string[];
  /** Client certificate validation (Gateway.spec.tls.frontend), when configured. */
  frontendValidation?: FrontendValidationIR;
}

export interface CertificateIR {
  /** Where it came from, for logs and explanations: `ns/secret-name`. */
  source: string;
  certPem: string;
  keyPem: string;
}

export interface FrontendValidationIR {
  caPem: string;
  mode: 'AllowValidOnly' | 'AllowInsecureFallback';
}

/** One match of one rule of one HTTPRoute: the unit the router walks in order. */
export interface HttpRouteEntryIR {
  /** `ns/route-name/rule-index/match-index`, for logs. */
  id: string;
  route: NamespacedName;
  /** Route hostnames intersected with the listener's; empty matches any Host. */
  hostnames: string[];
  match: HttpMatchIR;
  filters: HttpFilterIR[];
  /** Weighted targets; empty with `directResponse` set means a fixed answer. */
  backends: WeightedBackendIR[];
  /** Set when the rule cannot be served (e.g. all backendRefs invalid): answer this status. */
  directResponse?: { status: number; body?: string };
  timeouts: { requestMs?: number; backendRequestMs?: number };
  policies: RoutePoliciesIR;
}

export interface HttpMatchIR {
  path: { type: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string };
  method?: string;
  headers: { name: string; type: 'Exact' | 'RegularExpression'; value: string }[];
  queryParams: { name: string; type: 'Exact' | 'RegularExpression'; value: string }[];
}

export type HttpFilterIR =
  | { type: 'RequestHeaderModifier'; set: Header[]; add: Header[]; remove: string[] }
  | { type: 'ResponseHeaderModifier'; set: Header[]; add: Header[]; remove: string[] }
  | { type: 'URLRewrite'; hostname?: string; path?: PathModifierIR }
  | {
      type: 'RequestRedirect';
      scheme?: 'http' | 'https';
      hostname?: string;
      port?: number;
      path?: PathModifierIR;
      statusCode: 301 | 302 | 303 | 307 | 308;
    }
  | CorsFilterIR
  | { type: 'RequestMirror'; backend: BackendIR; /** Share of requests mirrored, 0–100. */ percent: number };

/** GEP-1767. Origins are exact (`https://www.foo.com`), with a host wildcard (`https://*.bar.com`), or `*`. */
export interface CorsFilterIR {
  type: 'CORS';
  allowOrigins: string[];
  /** `*` allows any method. */
  allowMethods: string[];
  /** `*` allows any header. */
  allowHeaders: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  maxAgeSeconds?: number;
}

export interface Header {
  name: string;
  value: string;
}

export type PathModifierIR =
  | { type: 'ReplaceFullPath'; value: string }
  | { type: 'ReplacePrefixMatch'; value: string };

export interface RoutePoliciesIR {
  jwt?: JwtPolicyIR;
}

export interface JwtPolicyIR {
  /** Where the policy came from, for status and explanations. */
  source: string;
  providers: JwtProviderIR[];
  /** Strict: a request without a valid token is rejected (401). */
  mode: 'Strict' | 'Optional';
}

export interface JwtProviderIR {
  name: string;
  issuer?: string;
  audiences?: string[];
  /** JWKS as JSON (inline, or converted from a PEM key with an RFC 7638 thumbprint kid). */
  jwks: { keys: Record<string, unknown>[] };
}

export interface WeightedBackendIR {
  weight: number;
  backend: BackendIR;
  /** HTTPBackendRef.filters: applied after the rule's filters, only when this backend is chosen. */
  filters?: HttpFilterIR[];
}

export type BackendIR = ServiceBackendIR | AiBackendIR | DynamicForwardProxyBackendIR | InvalidBackendIR;

export interface EndpointIR {
  address: string;
  port: number;
}

export interface ServiceBackendIR {
  kind: 'service';
  /** `ns/name:port`, for logs. */
  id: string;
  /** Ready endpoints, from EndpointSlices. Empty → 503 "no healthy upstream". */
  endpoints: EndpointIR[];
  /** HTTP/1.1 or cleartext HTTP/2 (appProtocol kubernetes.io/h2c). */
  protocol: 'http1' | 'h2c';
  /** TLS towards the backend (BackendTLSPolicy), when any. */
  tls?: UpstreamTlsIR;
}

export interface AiBackendIR {
  kind: 'ai';
  id: string;
  provider: 'openai';
  /** Model override; absent keeps the client's model. */
  model?: string;
  /** Where requests go; a cluster Service name is resolved to its endpoints by translation. */
  endpoints: EndpointIR[];
  /** Host header and (with TLS) SNI sent upstream. */
  host: string;
  /** Path the request is rewritten to (e.g. /v1/chat/completions). */
  path: string;
  tls?: UpstreamTlsIR;
  auth: { type: 'passthrough' } | { type: 'none' } | { type: 'set'; header: string; value: string };
}

export interface DynamicForwardProxyBackendIR {
  kind: 'dynamic-forward-proxy';
  id: string;
  /** TLS origination towards whatever host the request names (its SNI is set per request). */
  tls?: UpstreamTlsIR;
  /** Cluster Service names (`svc.ns.svc.cluster.local`) → port → ready endpoints; other names are dialled as given. */
  clusterHosts?: Record<string, Record<string, EndpointIR[]>>;
}

export interface InvalidBackendIR {
  kind: 'invalid';
  id: string;
  /** Why this backend can't be used: answered as 500 (Gateway API: invalid backendRef → 500). */
  reason: string;
  status: number;
}

export interface UpstreamTlsIR {
  /** SNI sent, and the name verified unless subjectAltNames says otherwise. */
  sni: string;
  /** PEM bundle of trusted CAs; absent with `useSystemCAs` false means "cannot validate" (translation never emits that). */
  caPem?: string;
  useSystemCAs?: boolean;
  subjectAltNames?: { type: 'Hostname' | 'URI'; value: string }[];
  /** The Gateway's client certificate (spec.tls.backend.clientCertificateRef). */
  clientCertificate?: CertificateIR;
  /** Application protocols offered upstream. */
  alpnProtocols?: string[];
  /**
   * Which sessions a new connection may offer for resumption: 'sni' only one made for the same SNI
   * (the fix; the API's `perSNI`), 'shared' the latest one of this TLS configuration whatever its name
   * (the forward-proxy bug, kept for the lesson), 'disabled' none.
   */
  sessionCache: 'sni' | 'shared' | 'disabled';
}

export interface TlsRouteEntryIR {
  id: string;
  route: NamespacedName;
  hostnames: string[];
  backends: WeightedBackendIR[];
}
