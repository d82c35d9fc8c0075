// Mounted Secrets and ConfigMaps (and emptyDirs) as files under the cluster's
// state directory. A process cannot see them at the mountPath, so paths in
// args and env that point into a mount are rewritten to where the files
// really are, and AGW_MOUNTS tells the workload the whole mapping.
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject, Store } from '../store/store-types.js';
import { CONFIGMAPS, SECRETS } from '../controllers/resource-keys.js';
import { writeFileAtomicSync } from '../../../state/atomic-write.js';

export class MountError extends Error {
  readonly reason = 'FailedMount';
}

/**
 * The one check before the kubelet writes or deletes a path of a pod: it
 * must resolve (symbolic links too, for what exists) strictly inside `base`.
 * The API server already refuses manifests that climb out; this is the
 * defence in depth for a store written by something else.
 */
export function insidePodDirectory(base: string, target: string): string {
  const root = path.resolve(base);
  const resolved = path.resolve(root, target);
  const within = (dir: string, file: string) => file.startsWith(dir + path.sep);
  if (!within(root, resolved)) throw new MountError(`refusing path "${target}": outside the pod's directory ${root}`);
  // The nearest existing ancestor must not be a link that leads elsewhere.
  let probe = resolved;
  while (probe !== root && !fs.existsSync(probe)) probe = path.dirname(probe);
  if (probe !== root) {
    const realRoot = fs.existsSync(root) ? fs.realpathSync(root) : root;
    if (!within(realRoot, fs.realpathSync(probe))) throw new MountError(`refusing path "${target}": it leads outside the pod's directory ${root}`);
  }
  return resolved;
}

interface KeyToPath { key: string; path: string; mode?: number }
interface Volume {
  name: string;
  secret?: { secretName: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  configMap?: { name: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  emptyDir?: Record<string, unknown>;
  projected?: { sources?: Array<{ secret?: { name: string; items?: KeyToPath[] }; configMap?: { name: string; items?: KeyToPath[] } }> };
}
interface VolumeMount { name: string; mountPath: string; subPath?: string; readOnly?: boolean }

/** mountPath → host path, per container name. */
export type MountTable = Map<string, Map<string, string>>;

function files(store: Store, namespace: string, kind: 'secret' | 'configMap', name: string, items: KeyToPath[] | undefined, optional: boolean | undefined): Array<{ path: string; data: Buffer; mode?: number }> | undefined {
  const object = store.get(kind === 'secret' ? SECRETS : CONFIGMAPS, namespace, name);
  if (!object) {
    if (optional) return [];
    throw new MountError(`MountVolume.SetUp failed: ${kind === 'secret' ? 'secret' : 'configmap'} "${name}" not found`);
  }
  const entries = new Map<string, Buffer>();
  for (const [key, value] of Object.entries((object.data as Record<string, string> | undefined) ?? {})) {
    entries.set(key, kind === 'secret' ? Buffer.from(value, 'base64') : Buffer.from(value, 'utf8'));
  }
  if (kind === 'configMap') {
    for (const [key, value] of Object.entries((object.binaryData as Record<string, string> | undefined) ?? {})) entries.set(key, Buffer.from(value, 'base64'));
  }
  if (!items?.length) return [...entries].map(([key, data]) => ({ path: key, data }));
  return items.map((item) => {
    const data = entries.get(item.key);
    if (!data) throw new MountError(`MountVolume.SetUp failed: couldn't find key ${item.key} in ${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${namespace}/${name}`);
    return { path: item.path, data, mode: item.mode };
  });
}

function writeVolumeFiles(dir: string, entries: Array<{ path: string; data: Buffer; mode?: number }>, defaultMode: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const wanted = new Set<string>();
  for (const entry of entries) {
    const target = insidePodDirectory(dir, entry.path);
    wanted.add(target);
    const mode = entry.mode ?? defaultMode;
    let same = false;
    try {
      same = fs.readFileSync(target).equals(entry.data) && (fs.statSync(target).mode & 0o777) === mode;
    } catch { /* absent */ }
    if (!same) writeFileAtomicSync(target, entry.data, { mode });
  }
  // Keys removed from the Secret disappear from the volume, as with a real kubelet.
  for (const name of fs.readdirSync(dir)) {
    const file = insidePodDirectory(dir, name);
    if (!wanted.has(file) && fs.statSync(file).isFile()) fs.rmSync(file, { force: true });
  }
}

/**
 * Writes every volume of the pod under `podDir/volumes/<name>` and returns,
 * per container, its mountPath → host path table. Secrets are 0600 (their
 * keys are private), ConfigMaps 0644, unless the volume says otherwise.
 */
export function materializeVolumes(store: Store, pod: KubeObject, podDir: string): MountTable {
  const namespace = pod.metadata.namespace ?? 'default';
  const spec = (pod.spec ?? {}) as { volumes?: Volume[]; containers?: Array<{ name: string; volumeMounts?: VolumeMount[] }> };
  const volumeDirs = new Map<string, string>();
  for (const volume of spec.volumes ?? []) {
    const dir = insidePodDirectory(path.join(podDir, 'volumes'), volume.name);
    if (volume.secret) {
      writeVolumeFiles(dir, files(store, namespace, 'secret', volume.secret.secretName, volume.secret.items, volume.secret.optional)!, volume.secret.defaultMode ?? 0o600);
    } else if (volume.configMap) {
      writeVolumeFiles(dir, files(store, namespace, 'configMap', volume.configMap.name, volume.configMap.items, volume.configMap.optional)!, volume.configMap.defaultMode ?? 0o644);
    } else if (volume.projected) {
      const all = (volume.projected.sources ?? []).flatMap((source) =>
        source.secret ? files(store, namespace, 'secret', source.secret.name, source.secret.items, false)!
          : source.configMap ? files(store, namespace, 'configMap', source.configMap.name, source.configMap.items, false)! : []);
      writeVolumeFiles(dir, all, 0o600);
    } else {
      fs.mkdirSync(dir, { recursive: true }); // emptyDir and anything else: an empty directory
    }
    volumeDirs.set(volume.name, dir);
  }
  const table: MountTable = new Map();
  for (const container of spec.containers ?? []) {
    const mounts = new Map<string, string>();
    for (const mount of container.volumeMounts ?? []) {
      const dir = volumeDirs.get(mount.name);
      if (!dir) throw new MountError(`volumeMount "${mount.name}" of container "${container.name}" names no volume of the pod`);
      mounts.set(mount.mountPath.replace(/\/+$/, '') || '/', mount.subPath ? insidePodDirectory(dir, mount.subPath) : dir);
    }
    table.set(container.name, mounts);
  }
  return table;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Rewrites every path inside a mount (at a word boundary: start, '=', ',', ':' or space) to its host path. */
export function rewriteMountedPaths(value: string, mounts: Map<string, string>): string {
  let out = value;
  const byLength = [...mounts].filter(([mountPath]) => mountPath !== '/').sort(([a], [b]) => b.length - a.length);
  for (const [mountPath, hostPath] of byLength) {
    const pattern = new RegExp(`(^|[=,: ])${escapeRegExp(mountPath)}(?=/|$|[,: ])`, 'g');
    out = out.replace(pattern, (_match, lead: string) => `${lead}${hostPath}`);
  }
  return out;
}
