// GatewayClasses whose spec.controllerName is ours are Accepted; others are
// left alone (their status belongs to another controller).
import type { ObjectStatusUpdate } from '../ir/status-types.js';
import { condition } from './conditions.js';
import type { InputObject, TranslateOptions } from './input-types.js';
import { asRecord, asString, generationOf, nameOf } from './fields.js';

export function ourGatewayClasses(classes: InputObject[], controllerName: string): InputObject[] {
  return classes.filter((c) => asString(asRecord(c.spec).controllerName) === controllerName && nameOf(c));
}

/**
 * GatewayClass status.supportedFeatures: the Gateway API conformance feature
 * names (sigs.k8s.io/gateway-api/pkg/features) this gateway implements, and no
 * others. Left out on purpose: GatewayStaticAddresses, GatewayListenerSet,
 * GRPCRoute, TCPRoute, UDPRoute, HTTPRouteBackendProtocolWebSocket,
 * HTTPRouteDestinationPortMatching, HTTPRouteNamedRouteRule, the ClusterTrustBundle
 * references, Mesh. gateway/translate/README.md keeps the same list in words.
 */
export const SUPPORTED_FEATURES = [
  'BackendTLSPolicy',
  'BackendTLSPolicySANValidation',
  'Gateway',
  'GatewayAddressEmpty',
  'GatewayBackendClientCertificate',
  'GatewayFrontendClientCertificateValidation',
  'GatewayFrontendClientCertificateValidationInsecureFallback',
  'GatewayHTTPListenerIsolation',
  'GatewayHTTPSListenerDetectMisdirectedRequests',
  'GatewayInfrastructurePropagation',
  'GatewayPort8080',
  'HTTPRoute',
  'HTTPRoute303RedirectStatusCode',
  'HTTPRoute307RedirectStatusCode',
  'HTTPRoute308RedirectStatusCode',
  'HTTPRouteBackendProtocolH2C',
  'HTTPRouteBackendRequestHeaderModification',
  'HTTPRouteBackendRequestRedirect',
  'HTTPRouteBackendTimeout',
  'HTTPRouteBackendURLRewrite',
  'HTTPRouteCORS',
  'HTTPRouteHostRewrite',
  'HTTPRouteMethodMatching',
  'HTTPRouteParentRefPort',
  'HTTPRoutePathRedirect',
  'HTTPRoutePathRewrite',
  'HTTPRoutePortRedirect',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteRequestMirror',
  'HTTPRouteRequestMultipleMirrors',
  'HTTPRouteRequestPercentageMirror',
  'HTTPRouteRequestTimeout',
  'HTTPRouteResponseHeaderModification',
  'HTTPRouteSchemeRedirect',
  'ReferenceGrant',
  'TLSRoute',
  'TLSRouteModeMixed',
  'TLSRouteModeTerminate',
] as const;

export function gatewayClassStatus(gatewayClass: InputObject, options: TranslateOptions): ObjectStatusUpdate {
  const generation = generationOf(gatewayClass);
  return {
    target: { group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name: nameOf(gatewayClass) },
    status: {
      conditions: [
        condition('Accepted', true, 'Accepted', `accepted by ${options.controllerName}`, generation, options.now),
        condition('SupportedVersion', true, 'SupportedVersion', 'Gateway API v1 resources are supported', generation, options.now),
      ],
      supportedFeatures: SUPPORTED_FEATURES.map((name) => ({ name })),
    },
  };
}
