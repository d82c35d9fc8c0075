// The committed shapes of the core kinds (the property trees
// generate-schemas.ts fills in) match what the installed kubernetes-models
// declarations generate: an upgrade of that package without regenerating
// fails here, not in a learner's kubectl.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { generateShapesSource, outputPath } from './tools/generate-shapes.js';

test('shapes.generated.ts is up to date with the installed kubernetes-models', (t) => {
  const committed = readFileSync(outputPath, 'utf8');
  t.true(committed === generateShapesSource(), 'regenerate: npx tsx test/cluster/pure/tools/generate-shapes.ts');
});
