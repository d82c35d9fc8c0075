// The `default:` values of the Gateway API CRDs (standard channel), which the
// API server fills in on every write: `kubectl get httproute -o yaml` shows
// `path: {type: PathPrefix, value: /}`, `weight: 1`, `kind: Service`, and a
// Gateway listener shows `allowedRoutes.namespaces.from: Same`. Only the
// paths that carry defaults are described; everything else passes through.
import type { Schema } from './schema.js';
import { applyDefaults } from './schema.js';
import type { KubeObject } from '../store/store-types.js';

const list = (items: Schema, extra: Partial<Schema> = {}): Schema => ({ type: 'array', items, ...extra });
const object = (properties: Record<string, Schema>, extra: Partial<Schema> = {}): Schema => ({ type: 'object', properties, ...extra });

const parentRef = object({ group: { default: 'gateway.networking.k8s.io' }, kind: { default: 'Gateway' } });
const backendRef = object({ group: { default: '' }, kind: { default: 'Service' }, weight: { default: 1 } });
const headerMatch = object({ type: { default: 'Exact' } });
const pathPrefixSlash = { type: 'PathPrefix', value: '/' };

const httpRouteMatch = object({
  path: object({ type: { default: 'PathPrefix' }, value: { default: '/' } }, { default: pathPrefixSlash }),
  headers: list(headerMatch),
  queryParams: list(headerMatch),
});

const httpRouteSpec = object({
  parentRefs: list(parentRef),
  rules: list(
    object({
      matches: list(httpRouteMatch, { default: [{ path: pathPrefixSlash }] }),
      backendRefs: list(backendRef),
    }),
    { default: [{ matches: [{ path: pathPrefixSlash }] }] },
  ),
});

const grpcRouteSpec = object({
  parentRefs: list(parentRef),
  rules: list(
    object({
      matches: list(object({ method: object({ type: { default: 'Exact' } }), headers: list(headerMatch) })),
      backendRefs: list(backendRef),
    }),
  ),
});

const tlsRouteSpec = object({ parentRefs: list(parentRef), rules: list(object({ backendRefs: list(backendRef) })) });

const gatewaySpec = object({
  addresses: list(object({ type: { default: 'IPAddress' } })),
  listeners: list(
    object({
      allowedRoutes: object({ namespaces: object({ from: { default: 'Same' } }, { default: { from: 'Same' } }) }, { default: { namespaces: { from: 'Same' } } }),
      tls: object({ mode: { default: 'Terminate' }, certificateRefs: list(object({ group: { default: '' }, kind: { default: 'Secret' } })) }),
    }),
  ),
});

const byKind: Record<string, Schema> = {
  Gateway: object({ spec: gatewaySpec }),
  HTTPRoute: object({ spec: httpRouteSpec }),
  GRPCRoute: object({ spec: grpcRouteSpec }),
  TLSRoute: object({ spec: tlsRouteSpec }),
};

/** The object with the Gateway API CRD defaults filled in (a copy); other kinds come back unchanged. */
export function applyGatewayApiDefaults(input: KubeObject): KubeObject {
  const schema = Object.hasOwn(byKind, input.kind) ? byKind[input.kind] : undefined;
  return schema ? (applyDefaults(input, schema) as KubeObject) : input;
}
