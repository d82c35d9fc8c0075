// The cluster process (`cluster up --foreground`): store, API server,
// kubeconfig and runtime.json, install manifests at first start, then the
// control-plane loops. SIGTERM/SIGINT stop the loops (and their pods) first,
// then flush the store, then exit.
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDirectory, homePaths, type HomePaths } from '../../../state/home.js';
import type { ApiContext } from '../apiserver/api-context.js';
import { cliPath } from './cli-path.js';
import { ensureClusterPki } from './cluster-pki.js';
import { ensureNetwork } from '../network/cluster-network.js';
import { applyInstallManifests, createSystemNamespaces } from './install-manifests.js';
import { loadCatalogue, ResourceRegistry } from '../apiserver/registry.js';
import { isAlive, readRuntime, runningCluster, writeKubeconfig, writeRuntime } from './runtime-record.js';
import { startApiServer } from '../apiserver/server.js';
import { MemoryStore } from '../store/store.js';

export interface RunningCluster {
  apiUrl: string;
  stop(): Promise<void>;
}

function timestamp(): string {
  return new Date().toISOString();
}

/** One cluster process per home, even when two `cluster up` race: an exclusive lock file naming the holder's pid. */
function acquireLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new Error(`a cluster for this home is already starting or running (pid ${holder}); see ${path.dirname(file)}`);
      }
      fs.rmSync(file, { force: true }); // left by a process that is gone (kill -9)
    }
  }
  throw new Error(`could not take the cluster lock ${file}`);
}

/** The port of last time (from the kubeconfig, which outlives the process), so kubeconfigs copied elsewhere stay valid. */
function previousPort(paths: HomePaths): number | undefined {
  try {
    const m = /server:\s*https:\/\/127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(paths.kubeconfig, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export async function startCluster(paths: HomePaths = homePaths(), log: (line: string) => void = (l) => process.stdout.write(`${timestamp()} ${l}\n`)): Promise<RunningCluster> {
  const started = performance.now();
  const other = runningCluster(paths.clusterRuntime);
  if (other && other.pid !== process.pid) throw new Error(`a cluster for ${paths.home} already runs (pid ${other.pid}, ${other.apiUrl})`);
  ensurePrivateDirectory(paths.cluster, paths.home);
  const releaseLock = acquireLock(path.join(paths.cluster, 'cluster.lock'));
  fs.mkdirSync(paths.podLogs, { recursive: true });

  // Where start-up time goes, in the log line that says the cluster is ready.
  const phases: string[] = [];
  let mark = started;
  const phase = (name: string) => {
    const now = performance.now();
    phases.push(`${name} ${Math.round(now - mark)}`);
    mark = now;
  };
  const [pki, network, catalogue] = await Promise.all([ensureClusterPki(paths.clusterPki), ensureNetwork(paths.cluster, paths.home), loadCatalogue()]);
  phase('pki+network+catalogue');
  const registry = new ResourceRegistry(catalogue.builtins, catalogue.fromCrd, log);
  const store = new MemoryStore({
    file: paths.clusterStore,
    log,
    // Kinds without a status subresource take status from PUT like any field.
    hasStatusSubresource: (key) => registry.all().find((t) => t.group === key.group && t.plural === key.resource)?.hasStatus ?? true,
  });
  const firstStart = store.isEmpty;
  const ctx: ApiContext = { store, registry, podLogDir: paths.podLogs, log };

  phase('store');
  const api = await startApiServer({ ...ctx, token: pki.token, certPem: pki.certPem, keyPem: pki.keyPem, port: previousPort(paths) });
  writeKubeconfig(paths.kubeconfig, api.url, pki.caPem, pki.token);
  if (firstStart) {
    createSystemNamespaces(ctx);
    await applyInstallManifests(ctx);
    // The install is on disk before the cluster says it is ready: a kill -9 right after `cluster up` keeps it.
    await store.committed();
  }
  phase('listen+install');
  log(`api: serving ${api.url} (${firstStart ? 'first start' : 'restored store'}, ${Math.round(performance.now() - started)} ms)`);

  const { startControlPlane } = await import('../controllers/index.js');
  const controlPlane = await startControlPlane({ store, paths, network, apiUrl: api.url, kubeconfigPath: paths.kubeconfig, cliPath: cliPath(), log });
  writeRuntime(paths.clusterRuntime, {
    pid: process.pid,
    apiUrl: api.url,
    port: api.port,
    network,
    startedAt: new Date().toISOString(),
    kubeconfig: paths.kubeconfig,
  });
  phase('control plane');
  log(`cluster: ready for clients (${Math.round(performance.now() - started)} ms; process uptime ${Math.round(process.uptime() * 1000)} ms; ms per phase: ${phases.join(', ')})`);

  let stopping: Promise<void> | undefined;
  return {
    apiUrl: api.url,
    stop: () =>
      (stopping ??= (async () => {
        log('cluster: stopping');
        try {
          await controlPlane.stop();
        } catch (error) {
          log(`cluster: control plane stop failed: ${(error as Error).message}`);
        }
        await api.close();
        await store.flush();
        const runtime = readRuntime(paths.clusterRuntime);
        if (runtime?.pid === process.pid) fs.rmSync(paths.clusterRuntime, { force: true });
        releaseLock();
        log('cluster: stopped');
      })()),
  };
}

/** `cluster up --foreground`: runs until SIGTERM/SIGINT. */
export async function runForeground(paths: HomePaths = homePaths()): Promise<number> {
  const cluster = await startCluster(paths);
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      process.stdout.write(`${timestamp()} cluster: ${signal} received\n`);
      cluster.stop().then(
        () => resolve(0),
        (error: Error) => {
          process.stderr.write(`${timestamp()} cluster: shutdown failed: ${error.message}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    // A bug anywhere in the process must not leave pods orphaned or the store unflushed: log it, stop cleanly, exit 1.
    const crash = (kind: string) => (error: unknown) => {
      process.stdout.write(`${timestamp()} cluster: ${kind}: ${(error as Error)?.stack ?? String(error)}\n`);
      cluster.stop().finally(() => resolve(1));
    };
    process.on('uncaughtException', crash('uncaught exception'));
    process.on('unhandledRejection', crash('unhandled rejection'));
  });
}
