// Working state of one Gateway during translation: what listeners.ts decided,
// what routes attached, and the problems status.ts turns into conditions.
import type { CertificateIR, FrontendValidationIR, HttpRouteEntryIR, TlsRouteEntryIR } from '../ir/types.js';
import type { Problem } from './conditions.js';
import type { InputObject } from './input-types.js';

export interface RouteKind {
  group: string;
  kind: string;
}

export interface ListenerState {
  name: string;
  port: number;
  protocol: string;
  hostname?: string;
  /** The listener as written, for allowedRoutes. */
  spec: Record<string, any>;
  supportedKinds: RouteKind[];
  /** Why the listener is not accepted (unsupported protocol, invalid value, no valid CA). */
  notAccepted?: Problem;
  conflicted?: Problem;
  /** First unresolved reference (certificate, route kind, CA). */
  unresolved?: Problem;
  tlsMode?: 'Terminate' | 'Passthrough';
  certificates: CertificateIR[];
  frontendValidation?: FrontendValidationIR;
  attachedRoutes: number;
  routes: HttpRouteEntryIR[];
  tlsRoutes: TlsRouteEntryIR[];
}

export interface GatewayState {
  object: InputObject;
  namespace: string;
  name: string;
  generation: number;
  listeners: ListenerState[];
  /** Gateway.spec.tls.backend.clientCertificateRef, resolved. */
  backendClientCertificate?: CertificateIR;
  backendClientCertificateProblem?: Problem;
  /** Some port validates client certificates with AllowInsecureFallback. */
  insecureFrontendValidation: boolean;
  /** spec.addresses with a value requested: we cannot honour them (an address with only a type is fine). */
  unsupportedAddresses?: Problem;
  /** spec.infrastructure.parametersRef given: this gateway takes no infrastructure parameters. */
  invalidParameters?: Problem;
}

/** A listener that can carry traffic. */
export function isListenerProgrammed(listener: ListenerState): boolean {
  if (listener.notAccepted || listener.conflicted) return false;
  if (listener.protocol === 'HTTPS' || (listener.protocol === 'TLS' && listener.tlsMode === 'Terminate')) {
    return listener.certificates.length > 0;
  }
  return true;
}
