// The committed model schemas (schemas.generated.ts) are what the vendored
// Gateway API CRDs and the installed kubernetes-models package generate, and
// validating with them gives the same causes, in the same order and words, as
// ajv validators of the same kinds: kubernetes-models' compiled ones for the
// core kinds (what the server called at run time before the packages became
// development-only), ajv compiling the generated schema for the Gateway API
// kinds. Vendoring other CRDs or upgrading the package without regenerating
// fails here, not in a learner's kubectl.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import YAML from 'yaml';
import { gatewayApiKinds, generateSchemasSource, loadValidators, schemasOutputPath, vendoredCrd, type AjvValidate } from './tools/generate-schemas.js';
import { ajvCauses, compileGenerated } from './tools/ajv-causes.js';
import { checkModel } from '../../../source/cluster/embedded/validation/models.js';
import { shapeFor } from '../../../source/cluster/embedded/validation/shapes.js';
import type { Schema } from '../../../source/cluster/embedded/validation/schema.js';
import { definitionsJson, schemaRoots } from '../../../source/cluster/embedded/validation/schemas.generated.js';

test('schemas.generated.ts is up to date with the vendored CRDs and the installed kubernetes-models', async (t) => {
  const committed = readFileSync(schemasOutputPath, 'utf8');
  t.true(committed === (await generateSchemasSource()), 'regenerate: npx tsx test/cluster/pure/tools/generate-schemas.ts');
});

type Json = Record<string, unknown>;
const generated = JSON.parse(definitionsJson) as Record<string, Json>;

/** Every validator the mutation test compares with, by `apiVersion kind`. */
async function allValidators(): Promise<Record<string, AjvValidate>> {
  const out = await loadValidators();
  for (const key of Object.keys(gatewayApiKinds)) out[key] = compileGenerated(schemaRoots[key]!, generated);
  return out;
}

// What the walker checks of a schema node, and the default the API server fills in; the generated schema must say the same as the CRD.
const CHECKED = ['type', 'enum', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'required', 'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'default'];

test('the Gateway API schemas keep every field and checked constraint of the vendored CRDs', (t) => {
  const resolve = (node: Json): Json => (typeof node.$ref === 'string' ? { ...resolve(generated[node.$ref]!), ...node, $ref: undefined } : node);
  const differences: string[] = [];
  let fields = 0;
  function compare(crd: Json, ours: Json, where: string, root = false): void {
    const mine = resolve(ours);
    for (const keyword of CHECKED) {
      const expected = root && keyword === 'required' ? [...((crd.required as string[]) ?? []), 'apiVersion', 'kind'] : crd[keyword];
      if (JSON.stringify(expected) !== JSON.stringify(mine[keyword])) differences.push(`${where} ${keyword}: CRD ${JSON.stringify(expected)}, generated ${JSON.stringify(mine[keyword])}`);
    }
    if (['int32', 'date-time'].includes(String(crd.format)) && crd.format !== mine.format) differences.push(`${where} format ${String(crd.format)} lost`);
    if (crd.items) compare(crd.items as Json, (mine.items ?? {}) as Json, `${where}[]`);
    if (crd.additionalProperties && typeof crd.additionalProperties === 'object') compare(crd.additionalProperties as Json, (mine.additionalProperties ?? {}) as Json, `${where}{}`);
    for (const [name, child] of Object.entries((crd.properties ?? {}) as Record<string, Json>)) {
      const own = (mine.properties as Record<string, Json> | undefined)?.[name];
      fields++;
      if (!own) differences.push(`${where}.${name} missing`);
      // The root's apiVersion, kind and metadata are the API server's (fixed values, ObjectMeta).
      else if (!(root && ['apiVersion', 'kind', 'metadata'].includes(name))) compare(child, own, `${where}.${name}`);
    }
  }
  for (const [key, plural] of Object.entries(gatewayApiKinds)) {
    const [apiVersion, kind] = key.split(' ') as [string, string];
    const served = vendoredCrd(plural).spec.versions.find((v) => `gateway.networking.k8s.io/${v.name}` === apiVersion)!;
    compare(served.schema.openAPIV3Schema, { $ref: schemaRoots[key] }, `${apiVersion} ${kind}`, true);
  }
  t.deepEqual(differences, []);
  t.true(fields > 900, `only ${fields} fields compared`); // 959 in the 13 roots of v1.5.1
});

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Valid-ish starting points: the lab manifests and a small object of every modelled kind. */
function samples(validators: Record<string, AjvValidate>): Obj[] {
  const out: Obj[] = [];
  for (const file of ['sni-lab.yaml', 'jwt-lab.yaml']) {
    for (const doc of YAML.parseAllDocuments(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8'))) {
      const object = doc.toJSON() as Obj | null;
      if (object && validators[`${object.apiVersion} ${object.kind}`]) out.push(object);
    }
  }
  for (const key of Object.keys(validators)) {
    const [apiVersion, kind] = key.split(' ');
    out.push({ apiVersion, kind, metadata: { name: 'x' }, spec: {} });
  }
  out.push(
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } }, readinessProbe: { httpGet: { port: 'http', path: '/' } } }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { a: 'b' } } },
    {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', names: { plural: 'widgets', kind: 'Widget' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { color: { type: 'string', enum: ['red'], default: 'red' } } } } } } }] },
    },
  );
  return out;
}

const PROBES: unknown[] = [
  true, 'x', '', 0, -1, 1.5, -3.5, 1e12, null, [], {}, [null], { a: 1 }, 'A B', 'a'.repeat(300),
  '1Gi', 'abc', '25%', '2024-01-01T00:00:00Z', '2024-13-01T00:00:00Z', 'not-a-date', '1.5',
];

/** A small deterministic generator (the failures must be reproducible from the seed). */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

/** A copy of `object` with one field, reached by a random walk down its schema, set to a probe value. */
function mutate(object: Obj, rnd: (n: number) => number): Obj {
  const copy = structuredClone(object);
  const shape = shapeFor(copy.apiVersion, copy.kind)!;
  const resolve = (s: Schema): Schema => (s.$ref ? resolve(shape.definitions[s.$ref]!) : s);
  let schema: Schema = shape.schema;
  let target: any = copy; // eslint-disable-line @typescript-eslint/no-explicit-any
  let parent: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  let key: string | number | undefined;
  for (let depth = 0; depth < 10; depth++) {
    if (target === null || typeof target !== 'object') break;
    const s = resolve(schema);
    const names = Object.keys(s.properties ?? {}).filter((n) => depth > 0 || (n !== 'apiVersion' && n !== 'kind'));
    let next: Schema;
    let k: string | number;
    if (s.type === 'array' && s.items && Array.isArray(target)) [k, next] = [0, s.items];
    else if (names.length) {
      k = names[rnd(names.length)]!;
      next = s.properties![k]!;
    } else if (s.additionalProperties && typeof s.additionalProperties === 'object') [k, next] = ['key', s.additionalProperties];
    else break;
    parent = target;
    key = k;
    if (rnd(3) === 0) break;
    if (target[k] === undefined || target[k] === null || typeof target[k] !== 'object') target[k] = resolve(next).type === 'array' ? [{}] : {};
    target = target[k];
    schema = next;
  }
  if (parent && key !== undefined) parent[key] = PROBES[rnd(PROBES.length)];
  return copy;
}

test('the generated schemas give the causes ajv validators give, on 4000 mutated objects', async (t) => {
  const validators = await allValidators();
  const starts = samples(validators);
  const rnd = random(20261123);
  let compared = 0;
  for (let round = 0; round < 4000; round++) {
    let object = starts[rnd(starts.length)]!;
    for (let n = 1 + rnd(3); n > 0; n--) object = mutate(object, rnd);
    const expected = ajvCauses(validators[`${object.apiVersion} ${object.kind}`]!, object);
    const actual = checkModel(object as { apiVersion: string; kind: string });
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      t.deepEqual(actual, expected, `round ${round}: ${JSON.stringify(object).slice(0, 2000)}`);
      return;
    }
    if (expected.length) compared++;
  }
  // The mutations must actually exercise the checks, not only valid objects.
  t.true(compared > 2000, `only ${compared} rounds produced causes`);
});

test('nothing the package runs imports the model package; it is a development dependency only', (t) => {
  const repo = new URL('../../../', import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL('package.json', repo), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  t.false('kubernetes-models' in manifest.dependencies, 'kubernetes-models is a run-time dependency again');
  t.true('kubernetes-models' in manifest.devDependencies, 'kubernetes-models must stay a dev dependency: the generator and this test use it');
  t.false('@kubernetes-models/gateway-api' in { ...manifest.dependencies, ...manifest.devDependencies }, 'the Gateway API schemas come from the vendored CRDs');
  const offenders: string[] = [];
  for (const dir of ['source', 'gateway']) {
    for (const file of readdirSync(new URL(dir, repo), { recursive: true, encoding: 'utf8' })) {
      if (!/\.tsx?$/.test(file)) continue;
      const text = readFileSync(new URL(`${dir}/${file}`, repo), 'utf8');
      if (/(?:from|import)\s*\(?\s*['"](?:@kubernetes-models\/|kubernetes-models(?:\/|['"])|ajv)/.test(text)) offenders.push(`${dir}/${file}`);
    }
  }
  t.deepEqual(offenders, []);
});
