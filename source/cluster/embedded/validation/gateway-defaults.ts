// The `default:` values of the Gateway API CRDs, which the API server fills in
// on every write: `kubectl get httproute -o yaml` shows `path: {type:
// PathPrefix, value: /}`, `weight: 1`, `kind: Service`; a Gateway listener
// shows `allowedRoutes.namespaces.from: Same`, and a new Gateway's status says
// "Waiting for controller" until a controller writes its own. They come with
// the CRDs' schemas (schemas.generated.ts, generated from the vendored CRDs),
// so the CRDs are their one source.
import { applyDefaults } from './schema.js';
import { shapeFor } from './shapes.js';
import type { KubeObject } from '../store/store-types.js';

/** The object with its CRD's defaults filled in (a copy); a kind without a schema comes back unchanged. */
export function applyGatewayApiDefaults(input: KubeObject): KubeObject {
  const shape = shapeFor(input.apiVersion, input.kind);
  return shape ? (applyDefaults(input, shape.schema, shape.definitions) as KubeObject) : input;
}
