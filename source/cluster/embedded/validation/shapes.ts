// Property trees of the modelled kinds (Gateway API, core, apps, discovery,
// apiextensions), generated from the @kubernetes-models type declarations by
// test/cluster/pure/tools/generate-shapes.ts. Their validators accept unknown
// fields; these shapes are what the strict check walks.
import type { Definitions, Schema } from './schema.js';
import { definitions, roots } from './shapes.generated.js';

export interface Shape {
  schema: Schema;
  definitions: Definitions;
}

export function shapeFor(apiVersion: string, kind: string): Shape | undefined {
  const root = (roots as Record<string, string>)[`${apiVersion} ${kind}`];
  if (!root) return undefined;
  return { schema: { $ref: root }, definitions: definitions as Definitions };
}
