// Value checks from the JSON schemas compiled into @kubernetes-models
// (Gateway API CRD schemas, Kubernetes OpenAPI): types, enums, patterns,
// bounds, required fields. Their validators accept unknown fields, so
// unknown-field checks are done separately (shapes.ts). Errors are reworded
// as kube-apiserver words them.
import type { StatusCause } from '../api-error.js';
import { FieldPath, dedupe, invalid, notSupported, required, tooLong, tooMany } from './causes.js';

import { validate as gatewayClassV1 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1GatewayClass';
import { validate as gatewayV1 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1Gateway';
import { validate as httpRouteV1 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1HTTPRoute';
import { validate as grpcRouteV1 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1GRPCRoute';
import { validate as tlsRouteV1 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1TLSRoute';
import { validate as referenceGrantV1 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1ReferenceGrant';
import { validate as backendTlsPolicyV1 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1BackendTLSPolicy';
import { validate as gatewayClassV1beta1 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1beta1GatewayClass';
import { validate as gatewayV1beta1 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1beta1Gateway';
import { validate as httpRouteV1beta1 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1beta1HTTPRoute';
import { validate as referenceGrantV1beta1 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1beta1ReferenceGrant';
import { validate as tlsRouteV1alpha2 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1alpha2TLSRoute';
import { validate as backendTlsPolicyV1alpha3 } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1alpha3BackendTLSPolicy';
import { validate as namespaceV1 } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Namespace';
import { validate as secretV1 } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Secret';
import { validate as configMapV1 } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap';
import { validate as serviceV1 } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Service';
import { validate as podV1 } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Pod';
import { validate as serviceAccountV1 } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ServiceAccount';
import { validate as eventV1 } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Event';
import { validate as endpointSliceV1 } from 'kubernetes-models/_schemas/IoK8sApiDiscoveryV1EndpointSlice';
import { validate as deploymentV1 } from 'kubernetes-models/_schemas/IoK8sApiAppsV1Deployment';
import { validate as crdV1 } from 'kubernetes-models/_schemas/IoK8sApiextensionsApiserverPkgApisApiextensionsV1CustomResourceDefinition';

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}
type AjvValidate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

/** Compiled validators by `apiVersion kind`. */
const validators: Record<string, AjvValidate> = {
  'gateway.networking.k8s.io/v1 GatewayClass': gatewayClassV1,
  'gateway.networking.k8s.io/v1 Gateway': gatewayV1,
  'gateway.networking.k8s.io/v1 HTTPRoute': httpRouteV1,
  'gateway.networking.k8s.io/v1 GRPCRoute': grpcRouteV1,
  'gateway.networking.k8s.io/v1 TLSRoute': tlsRouteV1,
  'gateway.networking.k8s.io/v1 ReferenceGrant': referenceGrantV1,
  'gateway.networking.k8s.io/v1 BackendTLSPolicy': backendTlsPolicyV1,
  'gateway.networking.k8s.io/v1beta1 GatewayClass': gatewayClassV1beta1,
  'gateway.networking.k8s.io/v1beta1 Gateway': gatewayV1beta1,
  'gateway.networking.k8s.io/v1beta1 HTTPRoute': httpRouteV1beta1,
  'gateway.networking.k8s.io/v1beta1 ReferenceGrant': referenceGrantV1beta1,
  'gateway.networking.k8s.io/v1alpha2 TLSRoute': tlsRouteV1alpha2,
  'gateway.networking.k8s.io/v1alpha3 BackendTLSPolicy': backendTlsPolicyV1alpha3,
  'v1 Namespace': namespaceV1,
  'v1 Secret': secretV1,
  'v1 ConfigMap': configMapV1,
  'v1 Service': serviceV1,
  'v1 Pod': podV1,
  'v1 ServiceAccount': serviceAccountV1,
  'v1 Event': eventV1,
  'discovery.k8s.io/v1 EndpointSlice': endpointSliceV1,
  'apps/v1 Deployment': deploymentV1,
  'apiextensions.k8s.io/v1 CustomResourceDefinition': crdV1,
};

export function hasModel(apiVersion: string, kind: string): boolean {
  return `${apiVersion} ${kind}` in validators;
}

/** "/spec/listeners/0/port" → spec.listeners[0].port (JSON Pointer unescaped). */
export function pointerToPath(pointer: string): FieldPath {
  let path = FieldPath.root();
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    // Numbers index lists; a segment no Go field could be named (tls.crt, a/b) is a map key.
    if (/^\d+$/.test(segment)) path = path.index(Number(segment));
    else path = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment) ? path.child(segment) : path.key(segment);
  }
  return path;
}

function valueAt(root: unknown, pointer: string): unknown {
  let current = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function toCause(object: unknown, error: AjvError): StatusCause | undefined {
  const path = pointerToPath(error.instancePath);
  const value = valueAt(object, error.instancePath);
  const p = error.params;
  switch (error.keyword) {
    case 'required':
      return required(path.child(String(p.missingProperty)));
    case 'type':
      return invalid(path, jsonType(value), `${path} in body must be of type ${String(p.type)}: "${jsonType(value)}"`);
    case 'enum':
      return notSupported(path, value, (p.allowedValues as unknown[]) ?? []);
    case 'pattern':
      return invalid(path, value, `${path} in body should match '${String(p.pattern)}'`);
    case 'maxLength':
      return tooLong(path, Number(p.limit));
    case 'minLength':
      return invalid(path, value, `${path} in body should be at least ${String(p.limit)} chars long`);
    case 'maxItems':
      return tooMany(path, Array.isArray(value) ? value.length : 0, Number(p.limit));
    case 'minItems':
      return invalid(path, Array.isArray(value) ? value.length : 0, `${path} in body should have at least ${String(p.limit)} items`);
    case 'maximum':
      return invalid(path, value, `${path} in body should be less than or equal to ${String(p.limit)}`);
    case 'minimum':
      return invalid(path, value, `${path} in body should be greater than or equal to ${String(p.limit)}`);
    case 'exclusiveMaximum':
      return invalid(path, value, `${path} in body should be less than ${String(p.limit)}`);
    case 'exclusiveMinimum':
      return invalid(path, value, `${path} in body should be greater than ${String(p.limit)}`);
    case 'maxProperties':
      return tooMany(path, value && typeof value === 'object' ? Object.keys(value).length : 0, Number(p.limit));
    case 'format':
      // []byte values get a precise "illegal base64 data at input byte N" from core-rules.
      if (p.format === 'byte') return undefined;
      return invalid(path, value, `${path} in body must be of type ${String(p.format)}: ${JSON.stringify(value)}`);
    default:
      // anyOf/oneOf/if: the branch errors above already name the field.
      return undefined;
  }
}

/** Value causes for an object of a modelled kind; undefined when the kind has no model. */
export function checkModel(object: { apiVersion: string; kind: string }): StatusCause[] | undefined {
  const validate = validators[`${object.apiVersion} ${object.kind}`];
  if (!validate) return undefined;
  if (validate(object)) return [];
  const causes = (validate.errors ?? []).map((e) => toCause(object, e)).filter((c): c is StatusCause => c !== undefined);
  // An int-or-string field fails both branches of its anyOf; keep one cause per field.
  const byField = new Map<string, StatusCause>();
  for (const cause of dedupe(causes)) if (!byField.has(`${cause.field}\u0000${cause.reason}`)) byField.set(`${cause.field}\u0000${cause.reason}`, cause);
  return [...byField.values()];
}
