// First start: the built-in namespaces, then `manifests/install/*.yaml` (the
// gateway's namespace, controller Deployment, GatewayClasses), created in
// process through the same admission and validation as an API create.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NAMESPACE_KEY, resolveTarget, type ApiContext } from '../apiserver/api-context.js';
import { ensureNamespaceExists, prepareCreate, validate } from '../apiserver/admission.js';
import type { KubeObject } from '../store/store-types.js';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** The package root (where package.json is), from dist/ or from source/ alike. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'manifests'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (let d = path.dirname(fileURLToPath(import.meta.url)), i = 0; i < 8; i++, d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
  }
  return process.cwd();
}

export function createSystemNamespaces(ctx: ApiContext): void {
  for (const name of SYSTEM_NAMESPACES) {
    if (!ctx.store.get(NAMESPACE_KEY, undefined, name)) {
      createInProcess(ctx, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
  }
}

/** Marks what the install created, so `cluster up` waits for those workloads and not for a learner's. */
export const SYSTEM_LABEL = 'agw-workshop.dev/system';

function createInProcess(ctx: ApiContext, object: KubeObject, system = false): void {
  const slash = object.apiVersion.indexOf('/');
  const group = slash === -1 ? '' : object.apiVersion.slice(0, slash);
  const version = slash === -1 ? object.apiVersion : object.apiVersion.slice(slash + 1);
  const type = ctx.registry.findByKind(group, object.kind);
  if (!type) throw new Error(`no kind ${object.kind} in ${object.apiVersion} is served`);
  const target = resolveTarget(ctx, {
    group,
    version: type.versions.includes(version) ? version : type.versions[0]!,
    plural: type.plural,
    namespace: type.namespaced ? (object.metadata?.namespace ?? 'default') : undefined,
  });
  prepareCreate(target, object);
  if (system) object.metadata.labels = { ...(object.metadata.labels ?? {}), [SYSTEM_LABEL]: 'true' };
  ensureNamespaceExists(ctx, target, object.metadata.namespace);
  validate(target, object, 'Strict');
  if (ctx.store.get(target.key, object.metadata.namespace, object.metadata.name)) return;
  ctx.store.create(target.key, object);
}

/** Applies every YAML document in manifests/install/*.yaml (sorted by file name); errors name the file and document. */
export async function applyInstallManifests(ctx: ApiContext, dir = path.join(packageRoot(), 'manifests', 'install')): Promise<number> {
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  } catch {
    ctx.log(`install: no manifests at ${dir}; nothing to install`);
    return 0;
  }
  const { parseAllDocuments } = await import('yaml');
  let count = 0;
  for (const file of files) {
    const documents = parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'));
    const list = Array.isArray(documents) ? documents : [documents];
    list.forEach((doc, index) => {
      const object = doc.toJS() as KubeObject | null;
      if (!object) return;
      try {
        if (doc.errors.length) throw new Error(doc.errors[0]!.message);
        createInProcess(ctx, object, true);
        count++;
      } catch (error) {
        ctx.log(`install: ${file} document ${index + 1} (${object?.kind ?? '?'} ${object?.metadata?.name ?? '?'}) not applied: ${(error as Error).message}`);
      }
    });
  }
  ctx.log(`install: applied ${count} objects from ${dir}`);
  return count;
}
