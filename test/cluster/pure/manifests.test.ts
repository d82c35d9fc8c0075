// Every manifest the project ships (install, lessons, real-cluster CRDs)
// passes the embedded API server's validation under fieldValidation=Strict,
// so applying them never fails on a field the server does not know.
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { builtinResources, findResourceByKind } from '../../../source/cluster/embedded/resources/catalog.js';
import { resourceFromCrd } from '../../../source/cluster/embedded/resources/crd.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';
import { lessonIds, loadLesson } from '../../../source/lesson/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../manifests');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

const files = yamlFiles(root);

/** Manifests a lesson applies expecting the API server to refuse them (a lab text's invalid object): path → the refusal text. */
async function meantToBeRefused(): Promise<Map<string, string>> {
  const refused = new Map<string, string>();
  for (const id of await lessonIds()) {
    for (const step of (await loadLesson(id)).steps) {
      if (step.kind === 'apply' && step.rejectedWith && step.manifest) refused.set(path.resolve(root, '..', step.manifest), step.rejectedWith);
    }
  }
  return refused;
}
const refusedPromise = meantToBeRefused();

test('the project ships manifests', (t) => {
  t.true(files.length > 0, `no YAML under ${root}`);
});

for (const file of files) {
  test(`${path.relative(root, file)} is valid under Strict (or refused as its lesson expects)`, async (t) => {
    const expectedRefusal = (await refusedPromise).get(file);
    // Lesson manifests are templates: ${NAMESPACE} and friends are filled in by the runner.
    const text = readFileSync(file, 'utf8').replace(/\$\{NAMESPACE\}/g, 'agentgateway-system').replace(/\$\{[A-Z_]+\}/g, 'placeholder');
    const documents = parseAllDocuments(text)
      .map((d) => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null && typeof o === 'object');
    t.true(documents.length > 0, 'the file holds at least one object');
    const crds = documents.filter((o) => o.kind === 'CustomResourceDefinition').flatMap((crd) => resourceFromCrd(crd));
    for (const object of documents) {
      const resource = findResourceByKind([...builtinResources, ...crds], object.apiVersion, object.kind);
      // RBAC and the like are for real clusters only (manifests/install/real-cluster).
      if (!resource && file.includes(`${path.sep}real-cluster${path.sep}`)) continue;
      if (!resource) {
        t.fail(`${object.apiVersion} ${object.kind} "${object.metadata?.name}" is not served by the embedded cluster`);
        continue;
      }
      const causes = resource.validate?.(object, { strict: true }) ?? [];
      if (expectedRefusal) t.true(JSON.stringify(causes).includes(expectedRefusal), `${object.kind}/${object.metadata?.name}: expected a refusal with "${expectedRefusal}", got ${JSON.stringify(causes)}`);
      else t.deepEqual(causes, [], `${object.kind}/${object.metadata?.name}`);
    }
  });
}
