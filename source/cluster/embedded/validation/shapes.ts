// Schemas of the modelled kinds (Gateway API, core, apps, discovery,
// apiextensions), generated from the vendored Gateway API CRDs and
// kubernetes-models by test/cluster/pure/tools/generate-schemas.ts: property
// trees (what the strict unknown-field check walks) with the value
// constraints. The JSON is
// parsed on first use, so importing the catalogue costs nothing here.
import type { Definitions, Schema } from './schema.js';
import { definitionsJson, schemaRoots } from './schemas.generated.js';

export interface Shape {
  schema: Schema;
  definitions: Definitions;
}

let definitions: Definitions | undefined;
const shapes = new Map<string, Shape>();

export function shapeFor(apiVersion: string, kind: string): Shape | undefined {
  const key = `${apiVersion} ${kind}`;
  const known = shapes.get(key);
  if (known) return known;
  const root = Object.hasOwn(schemaRoots, key) ? schemaRoots[key] : undefined;
  if (!root) return undefined;
  definitions ??= JSON.parse(definitionsJson) as Definitions;
  const shape = { schema: { $ref: root }, definitions };
  shapes.set(key, shape);
  return shape;
}
