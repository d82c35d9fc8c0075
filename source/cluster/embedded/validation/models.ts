// Value checks of the modelled kinds (Gateway API CRD schemas, Kubernetes
// OpenAPI): types, enums, patterns, bounds, formats, required fields. The
// schemas were generated at development time from the vendored Gateway API
// CRDs and kubernetes-models (schemas.generated.ts, see
// test/cluster/pure/tools/generate-schemas.ts) and are walked by schema.ts;
// nothing is compiled at import time. Unknown fields are checked separately
// (index.ts, with the same schemas).
import type { StatusCause } from '../apiserver/api-error.js';
import { FieldPath, dedupe } from './causes.js';
import { checkSchema } from './schema.js';
import { shapeFor } from './shapes.js';

export function hasModel(apiVersion: string, kind: string): boolean {
  return shapeFor(apiVersion, kind) !== undefined;
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

/** Value causes for an object of a modelled kind; undefined when the kind has no model. */
export function checkModel(object: { apiVersion: string; kind: string }): StatusCause[] | undefined {
  const shape = shapeFor(object.apiVersion, object.kind);
  if (!shape) return undefined;
  const causes = checkSchema(object, shape.schema, FieldPath.root(), { strict: false, definitions: shape.definitions, modelCompat: true });
  // []byte values get a precise "illegal base64 data at input byte N" from core-rules.
  // An int-or-string field fails both branches of its oneOf; keep one cause per field.
  const byField = new Map<string, StatusCause>();
  for (const cause of dedupe(causes)) if (!byField.has(`${cause.field}\u0000${cause.reason}`)) byField.set(`${cause.field}\u0000${cause.reason}`, cause);
  return [...byField.values()];
}
