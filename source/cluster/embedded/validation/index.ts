// Validation of built-in kinds "like a real API server": ObjectMeta rules,
// the kind's schema (Gateway API CRD schemas and Kubernetes OpenAPI,
// generated at development time from the vendored Gateway API CRDs and
// kubernetes-models into schemas.generated.ts and parsed on first use;
// compact schemas for the vendor kinds), unknown fields under
// fieldValidation=Strict, and the hand-written rules of kube-apiserver for
// core kinds.
//
// `validate` returns causes; `rejection` (causes.ts) turns them into the
// ApiError a request fails with: unknown fields → 400 "strict decoding
// error", anything else → 422 Invalid.
import type { StatusCause } from '../apiserver/api-error.js';
import type { KubeObject } from '../store/store-types.js';
import type { ResourceType } from '../resources/types.js';
import { FieldPath, withUnknownFirst } from './causes.js';
import { checkMetadata, type NameRule } from './metadata.js';
import { checkModel } from './models.js';
import { checkSchema, pruneUnknown, type Schema } from './schema.js';
import { vendorSchemas } from './vendor-schemas.js';
import { shapeFor } from './shapes.js';
import { checkConfigMap, checkDeployment, checkPod, checkSecret, checkService } from './core-rules.js';
import { checkCustomResourceDefinition } from './crd-rules.js';
import { checkBackendTlsPolicy, checkGateway, checkHttpRoute } from './gateway-rules.js';
import { checkAgentgatewayBackend } from './vendor-rules.js';

export { rejection, UNKNOWN_FIELD } from './causes.js';
export type { Schema } from './schema.js';

type Validate = NonNullable<ResourceType['validate']>;

const kindRules: Record<string, (object: KubeObject) => StatusCause[]> = {
  ' Secret': checkSecret,
  ' ConfigMap': checkConfigMap,
  ' Service': checkService,
  ' Pod': checkPod,
  'apps Deployment': checkDeployment,
  'apiextensions.k8s.io CustomResourceDefinition': checkCustomResourceDefinition,
  'gateway.networking.k8s.io Gateway': checkGateway,
  'gateway.networking.k8s.io HTTPRoute': checkHttpRoute,
  'gateway.networking.k8s.io BackendTLSPolicy': checkBackendTlsPolicy,
  'agentgateway.dev AgentgatewayBackend': checkAgentgatewayBackend,
};

/** Which name rule kube-apiserver applies to metadata.name of a kind. */
function nameRule(resource: ResourceType): NameRule {
  if (resource.group === '' && resource.kind === 'Namespace') return 'label';
  if (resource.group === '' && resource.kind === 'Service') return 'dns1035';
  return 'subdomain';
}

function unknownFieldsOf(object: KubeObject): StatusCause[] {
  const shape = shapeFor(object.apiVersion, object.kind);
  if (!shape) return [];
  return checkSchema(object, shape.schema, FieldPath.root(), { strict: true, values: false, definitions: shape.definitions });
}

/**
 * The validate function of a built-in kind. Value checks come from the
 * kind's model or vendor schema; unknown fields are reported only when
 * `strict` (they are pruned otherwise, see `pruneFor`). Every cause is
 * returned, unknown fields first (sorted by path): kube-apiserver fails a
 * Strict request on those (400) before it validates values (422), while
 * fieldValidation=Warn turns them into warnings and still needs the rest.
 */
export function validatorFor(resource: ResourceType): Validate | undefined {
  const vendor = vendorSchemas[`${resource.group} ${resource.kind}`];
  const rules = kindRules[`${resource.group} ${resource.kind}`];
  const metadataRules = { namespaced: resource.namespaced, name: nameRule(resource) };
  return (object, { strict }) => {
    const causes: StatusCause[] = [];
    if (strict) causes.push(...unknownFieldsOf(object));
    if (vendor) causes.push(...checkSchema(object, vendor, FieldPath.root(), { strict }));
    causes.push(...checkMetadata(object, metadataRules));
    causes.push(...(checkModel(object) ?? []));
    if (rules) causes.push(...rules(object));
    return withUnknownFirst(causes);
  };
}

/** A copy of an object without the fields its kind does not know (what a non-Strict write stores). */
export function pruneFor(resource: ResourceType, object: KubeObject): KubeObject {
  const vendor: Schema | undefined = vendorSchemas[`${resource.group} ${resource.kind}`];
  if (vendor) return pruneUnknown(object, vendor) as KubeObject;
  const shape = shapeFor(object.apiVersion, object.kind);
  if (shape) return pruneUnknown(object, shape.schema, shape.definitions) as KubeObject;
  return object;
}
