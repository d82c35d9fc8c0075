// Where every piece of workshop state lives: one directory, so cleanup,
// `cluster reset` and two side-by-side workshops are simple.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The state directory: $AGW_WORKSHOP_HOME, else the platform's state dir. */
export function workshopHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AGW_WORKSHOP_HOME) return path.resolve(env.AGW_WORKSHOP_HOME);
  if (process.platform === 'darwin') {
    return path.join(os.homedir(), 'Library', 'Application Support', 'agw-workshop');
  }
  if (process.platform === 'win32') {
    return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'agw-workshop');
  }
  const xdgState = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(xdgState, 'agw-workshop');
}

/** Well-known paths under the home, in one place so no module invents its own. */
export function homePaths(home: string = workshopHome()) {
  const cluster = path.join(home, 'cluster');
  return {
    home,
    cluster,
    /** The embedded cluster's persisted object store. */
    clusterStore: path.join(cluster, 'store.json'),
    /** CA, serving certificate and token of the embedded API. */
    clusterPki: path.join(cluster, 'pki'),
    /** kubeconfig for the embedded cluster (what `cluster kubeconfig` prints). */
    kubeconfig: path.join(cluster, 'kubeconfig.yaml'),
    /** Pid, address and ports of the running embedded cluster. */
    clusterRuntime: path.join(cluster, 'runtime.json'),
    clusterLog: path.join(cluster, 'cluster.log'),
    podLogs: path.join(cluster, 'pods'),
    /** Lesson progress and journals. */
    lessons: path.join(home, 'lessons'),
    /** Work directories of lessons (generated certificates and keys). */
    work: path.join(home, 'work'),
  };
}
export type HomePaths = ReturnType<typeof homePaths>;

/**
 * Creates `dir` (and the home above it) private, 0700, and narrows the home
 * if an older version left it open: it holds journals with saved Secrets,
 * keys and the cluster's token, whichever cluster the workshop talks to.
 */
export function ensurePrivateDirectory(dir: string, home: string = workshopHome()): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const each of new Set([path.resolve(home), path.resolve(dir)])) {
    const stat = fs.statSync(each);
    if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) fs.chmodSync(each, 0o700);
  }
}
