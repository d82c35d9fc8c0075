// Which cluster a lesson runs against: the embedded one (default), or a real
// one named by --kubeconfig/--context or $KUBECONFIG. And how to make sure
// the embedded one is up (`agw-workshop cluster up`, progress streamed).
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { homePaths } from '../state/home.js';
import type { ClusterClient } from '../cluster/client.js';
import type { ClusterIdentity } from './state.js';
import { packageRoot } from './load.js';
import { doubleQuote, shellQuote } from '../probe/shell-quote.js';

export interface ClusterTarget {
  embedded: boolean;
  kubeconfig: string | undefined;
  context: string | undefined;
  home: string;
}

export interface TargetOptions {
  kubeconfig?: string;
  context?: string;
  home?: string;
  env?: NodeJS.ProcessEnv;
}

export function resolveTarget(options: TargetOptions = {}): ClusterTarget {
  const env = options.env ?? process.env;
  const paths = homePaths(options.home);
  if (options.kubeconfig || options.context) {
    return { embedded: false, kubeconfig: options.kubeconfig ?? env.KUBECONFIG, context: options.context, home: paths.home };
  }
  if (env.KUBECONFIG && path.resolve(env.KUBECONFIG) !== path.resolve(paths.kubeconfig)) {
    return { embedded: false, kubeconfig: env.KUBECONFIG, context: undefined, home: paths.home };
  }
  return { embedded: true, kubeconfig: paths.kubeconfig, context: undefined, home: paths.home };
}

/** `kubectl` plus the flags that aim it at the same cluster the runner uses. */
export function kubectlPrefix(target: ClusterTarget): string {
  if (target.embedded) return `kubectl --kubeconfig ${doubleQuote('$(agw-workshop cluster kubeconfig)')}`;
  const parts = ['kubectl'];
  if (target.kubeconfig && target.kubeconfig !== process.env.KUBECONFIG) parts.push('--kubeconfig', shellQuote(target.kubeconfig));
  if (target.context) parts.push('--context', shellQuote(target.context));
  return parts.join(' ');
}

/** The CLI's own entry point, to run `cluster up` as a child. */
export function cliPath(): string {
  return path.join(packageRoot(), 'dist', 'source', 'cli.js');
}

/**
 * Makes sure the API answers. For the embedded cluster, starts it when it does not
 * (streaming `cluster up`'s lines to onProgress); a real cluster is never started.
 */
export async function ensureCluster(
  target: ClusterTarget,
  makeClient: () => ClusterClient,
  onProgress: (line: string) => void,
  signal?: AbortSignal,
  /** Called when the embedded cluster is not running and is being started (before `cluster up`). */
  onStarting?: () => void,
): Promise<ClusterClient> {
  if (target.embedded && target.kubeconfig && fs.existsSync(target.kubeconfig)) {
    const client = makeClient();
    try {
      await client.version();
      return client;
    } catch {
      // not running (or stale kubeconfig): start it below
    }
  }
  if (!target.embedded) {
    const client = makeClient();
    await client.version();
    return client;
  }
  onStarting?.();
  onProgress('starting the embedded cluster (agw-workshop cluster up)…');
  await runClusterUp(target.home, onProgress, signal);
  const client = makeClient();
  await client.version();
  return client;
}

function runClusterUp(home: string, onProgress: (line: string) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath(), 'cluster', 'up'], {
      env: { ...process.env, AGW_WORKSHOP_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    let tail = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-2000);
      for (const line of text.split('\n')) if (line.trim()) onProgress(line.trim());
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    // 'exit', not 'close': the detached cluster process may hold our pipes open.
    child.on('exit', (code) => {
      child.stdout.destroy();
      child.stderr.destroy();
      if (code === 0) resolve();
      else reject(new Error(`agw-workshop cluster up exited ${code}: ${tail.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** Which cluster the client reaches (kube-system's uid); undefined when it has no kube-system Namespace to tell by. */
export async function clusterIdentity(client: ClusterClient, target: ClusterTarget): Promise<ClusterIdentity | undefined> {
  const namespace = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' });
  const uid = namespace?.metadata.uid;
  return typeof uid === 'string' && uid ? { uid, server: client.server, embedded: target.embedded } : undefined;
}
