// translate: a snapshot of API objects → one IR per Gateway of our classes and
// the status to write. Pure: no I/O, no clock (time comes in `options.now`).
// A malformed object yields conditions, never an exception.
import type { GatewayIR } from '../ir/types.js';
import type { ObjectStatusUpdate } from '../ir/status-types.js';
import type { TranslateInput, TranslateOptions } from './input-types.js';
import { asRecord, asString, compareAge, keyOf, nameOf } from './fields.js';
import { BackendTlsPolicies } from './backend-tls.js';
import { gatewayClassStatus, ourGatewayClasses } from './gateway-class.js';
import { buildGatewayIR } from './gateway-ir.js';
import type { GatewayState } from './gateway-state.js';
import { gatewayStatus } from './gateway-status.js';
import { grpcRouteStatuses, translateHttpRoutes } from './http-routes.js';
import { JwtPolicies } from './jwt-policies.js';
import { buildGatewayState } from './listeners.js';
import type { RouteContext } from './route-context.js';
import { SnapshotIndex } from './snapshot-index.js';
import { translateTlsRoutes } from './tls-routes.js';
import { forwardProxyStatuses } from './forward-proxy.js';

export * from './input-types.js';
export { GATEWAY_NAME_LABEL } from './gateway-status.js';

export interface TranslateResult {
  gateways: GatewayIR[];
  statuses: ObjectStatusUpdate[];
}

export function translate(input: TranslateInput, options: TranslateOptions): TranslateResult {
  const index = new SnapshotIndex(input);
  const classes = ourGatewayClasses(input.gatewayClasses ?? [], options.controllerName);
  const classNames = new Set(classes.map(nameOf));
  const statuses: ObjectStatusUpdate[] = classes.map((c) => gatewayClassStatus(c, options));

  const gateways = new Map<string, GatewayState>();
  for (const gateway of [...(input.gateways ?? [])].sort(compareAge)) {
    if (!nameOf(gateway) || !classNames.has(asString(asRecord(gateway.spec).gatewayClassName) ?? '')) continue;
    gateways.set(keyOf(gateway), buildGatewayState(index, gateway));
  }

  const backendTls = new BackendTlsPolicies(index);
  const jwt = new JwtPolicies(input.agentgatewayPolicies ?? [], input.glooTrafficPolicies ?? []);
  const ctx: RouteContext = {
    index,
    options,
    gateways,
    backendTls,
    jwt,
    backendContext: (gateway) => ({
      index,
      backendTls,
      gatewayKey: `${gateway.namespace}/${gateway.name}`,
      clientCertificate: gateway.backendClientCertificate,
      clientCertificateProblem: gateway.backendClientCertificateProblem,
    }),
  };
  const routeStatuses = [...translateHttpRoutes(ctx), ...translateTlsRoutes(ctx), ...grpcRouteStatuses(ctx)];

  const irs: GatewayIR[] = [];
  for (const gateway of gateways.values()) {
    irs.push(buildGatewayIR(gateway));
    statuses.push(gatewayStatus(index, gateway, options));
  }
  statuses.push(...routeStatuses, ...backendTls.statuses(options.controllerName, options.now), ...jwt.statuses(options.controllerName, options.now), ...forwardProxyStatuses(index, options));
  return { gateways: irs, statuses };
}
