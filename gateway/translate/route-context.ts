// What route translation needs from the rest of translation.
import type { BackendContext } from './backends.js';
import type { BackendTlsPolicies } from './backend-tls.js';
import type { GatewayState } from './gateway-state.js';
import type { TranslateOptions } from './input-types.js';
import type { JwtPolicies } from './jwt-policies.js';
import type { SnapshotIndex } from './snapshot-index.js';

export interface RouteContext {
  index: SnapshotIndex;
  options: TranslateOptions;
  /** Our Gateways by `ns/name`. */
  gateways: Map<string, GatewayState>;
  backendTls: BackendTlsPolicies;
  jwt: JwtPolicies;
  backendContext(gateway: GatewayState): BackendContext;
}
