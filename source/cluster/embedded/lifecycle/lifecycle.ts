// The lifecycle commands as functions: up (detached, waits for readiness),
// down (SIGTERM, bounded wait), status, kubeconfig, reset. Each prints what it
// did and returns an exit code; each is idempotent.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDirectory, homePaths, type HomePaths } from '../../../state/home.js';
import { apiGet, credentialsFromKubeconfig, podReady, systemReadiness, type ApiCredentials } from './readiness-client.js';
import { cliPath } from './cli-path.js';
import { isAlive, readRuntime, runningCluster } from './runtime-record.js';

/** Every pod here must be Ready before `cluster up` returns (the control plane's own pods). */
export const SYSTEM_POD_NAMESPACES = ['kube-system'];
/** Same value as install-manifests.ts SYSTEM_LABEL (not imported: that module pulls in the API server). */
const SYSTEM_LABEL = 'agw-workshop.dev/system';
const DEFAULT_UP_TIMEOUT_MS = 60_000;
/** `cluster status` when the cluster is stopped: 3, as `systemctl status` for a unit not running (scripts can test it). */
export const NOT_RUNNING = 3;
const DEFAULT_DOWN_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function logTail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/** Keeps the cluster log from growing without bound: past 5 MB it becomes cluster.log.1 (one generation kept). */
function rotateLog(file: string): void {
  try {
    if (fs.statSync(file).size > 5 * 1024 * 1024) fs.renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
}

/** Progress on stderr; on a TTY the line is rewritten in place. */
function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}`);
  else process.stderr.write(`${text}\n`);
}
function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
}

function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/**
 * What a previous cluster of this home left behind, in words, before `up`
 * starts a new one: how it stopped (cleanly, by a signal, or it crashed),
 * stale records (removed here; the new process kills leftover pods itself),
 * stores set aside as corrupt. `up` recovers from each without a reset.
 */
export function previousState(paths: HomePaths): string[] {
  if (!fs.existsSync(paths.clusterStore) && !fs.existsSync(paths.clusterRuntime)) return ['no previous cluster in this home (first start)'];
  const found: string[] = [];
  const runtime = readRuntime(paths.clusterRuntime);
  const logLines = logTail(paths.clusterLog, 40).split('\n');
  const lastStart = logLines.findLastIndex((line) => line.includes('cluster: ready for clients') || line.includes('api: serving'));
  const sinceStart = logLines.slice(Math.max(0, lastStart));
  const signal = sinceStart.map((line) => /cluster: (SIG[A-Z]+) received/.exec(line)?.[1]).findLast(Boolean);
  const stoppedAt = sinceStart.findLast((line) => line.endsWith('cluster: stopped'))?.split(' ')[0];
  if (runtime) {
    found.push(`the previous cluster process (pid ${runtime.pid}, started ${runtime.startedAt}) is gone without a clean stop (a crash or kill -9); its runtime record was removed`);
    fs.rmSync(paths.clusterRuntime, { force: true });
  } else if (stoppedAt) {
    found.push(`the previous cluster stopped cleanly at ${stoppedAt}${signal ? ` after ${signal} (\`cluster down\` or a signal)` : ''}`);
  } else {
    found.push('the previous cluster stopped without writing its last log line (crash or kill -9)');
  }
  const lock = path.join(paths.cluster, 'cluster.lock');
  const holder = fs.existsSync(lock) ? Number(fs.readFileSync(lock, 'utf8')) : undefined;
  if (holder !== undefined && (!Number.isInteger(holder) || pidGone(holder))) {
    found.push(`a start lock of pid ${holder}, which is gone (removed)`);
    fs.rmSync(lock, { force: true });
  }
  try {
    const recorded = Object.keys(JSON.parse(fs.readFileSync(path.join(paths.cluster, 'kubelet-pids.json'), 'utf8')) as Record<string, unknown>);
    const alive = recorded.filter((pid) => !pidGone(Number(pid)));
    if (alive.length) found.push(`${alive.length} pod process(es) of the previous cluster still running (the new cluster stops them before starting pods)`);
  } catch { /* no record */ }
  const corrupt = fs.existsSync(paths.cluster) ? fs.readdirSync(paths.cluster).filter((f) => f.startsWith('store.json.corrupt-')) : [];
  if (corrupt.length) found.push(`${corrupt.length} unreadable store file(s) set aside earlier (${corrupt.join(', ')})`);
  return found;
}

export async function up(options: { timeoutMs?: number; paths?: HomePaths } = {}): Promise<number> {
  const paths = options.paths ?? homePaths();
  const existing = runningCluster(paths.clusterRuntime);
  if (existing) {
    process.stdout.write(`The cluster is already running at ${existing.apiUrl} (pid ${existing.pid}).\nkubeconfig: ${paths.kubeconfig}\n`);
    return 0;
  }
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? DEFAULT_UP_TIMEOUT_MS);
  ensurePrivateDirectory(paths.cluster, paths.home);
  for (const line of previousState(paths)) process.stdout.write(`Found: ${line}.\n`);
  rotateLog(paths.clusterLog);
  const logFd = fs.openSync(paths.clusterLog, 'a');
  const logOffset = fs.fstatSync(logFd).size;
  const child = spawn(process.execPath, [cliPath(), 'cluster', 'up', '--foreground'], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, AGW_WORKSHOP_HOME: paths.home },
  });
  fs.closeSync(logFd);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  child.unref();

  const fail = (why: string): number => {
    progressDone();
    process.stderr.write(`agw-workshop: the cluster did not become ready: ${why}\nSee ${paths.clusterLog}; its last lines:\n${logTail(paths.clusterLog)}\n`);
    return 1;
  };

  let creds: ApiCredentials | undefined;
  let lastSummary = 'starting the cluster process';
  progress(`cluster: ${lastSummary}…`);
  for (let attempt = 0; Date.now() < deadline && attempt < 100_000; attempt++) {
    if (exited !== undefined) {
      const thisStart = fs.readFileSync(paths.clusterLog).subarray(logOffset).toString('utf8');
      const asked = /cluster: (SIG[A-Z]+) received/.exec(thisStart)?.[1];
      return fail(`the cluster process exited (code ${exited})${asked ? `: it received ${asked} while starting (\`cluster down\`, or something else sent it)` : ''}`);
    }
    const runtime = readRuntime(paths.clusterRuntime);
    if (runtime && runtime.pid === child.pid) {
      try {
        creds ??= credentialsFromKubeconfig(paths.kubeconfig);
        const health = await apiGet<string>(creds, '/readyz', 1000);
        if (health.status === 200) {
          const readiness = await systemReadiness(creds, SYSTEM_POD_NAMESPACES, SYSTEM_LABEL);
          if (readiness.ready) {
            progressDone();
            process.stdout.write(`Cluster ready at ${creds.server} in ${((Date.now() - started) / 1000).toFixed(1)} s (${readiness.summary}).\nkubeconfig: ${paths.kubeconfig}\n`);
            return 0;
          }
          if (readiness.summary !== lastSummary) progress(`cluster: ${(lastSummary = readiness.summary)}`);
        }
      } catch (error) {
        const summary = `waiting for the API (${(error as Error).message})`;
        if (summary !== lastSummary) progress(`cluster: ${(lastSummary = summary)}`);
      }
    }
    await sleep(creds ? 100 : 25);
  }
  return fail(`not ready within ${((options.timeoutMs ?? DEFAULT_UP_TIMEOUT_MS) / 1000).toFixed(0)} s (${lastSummary}); the process (pid ${child.pid}) is still running: stop it with \`agw-workshop cluster down\``);
}

export async function down(options: { timeoutMs?: number; paths?: HomePaths; quiet?: boolean } = {}): Promise<number> {
  const paths = options.paths ?? homePaths();
  const runtime = readRuntime(paths.clusterRuntime);
  if (!runtime || !isAlive(runtime.pid)) {
    fs.rmSync(paths.clusterRuntime, { force: true });
    if (!options.quiet) process.stdout.write('The cluster is not running.\n');
    return 0;
  }
  process.kill(runtime.pid, 'SIGTERM');
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_DOWN_TIMEOUT_MS);
  while (Date.now() < deadline && isAlive(runtime.pid)) await sleep(25);
  if (isAlive(runtime.pid)) {
    process.kill(runtime.pid, 'SIGKILL');
    for (let i = 0; i < 40 && isAlive(runtime.pid); i++) await sleep(25);
    process.stderr.write(`agw-workshop: the cluster (pid ${runtime.pid}) did not stop within the timeout and was killed; see ${paths.clusterLog}\n`);
  }
  fs.rmSync(paths.clusterRuntime, { force: true });
  if (!options.quiet) process.stdout.write(`Cluster stopped (pid ${runtime.pid}).\n`);
  return 0;
}

export interface PodSummary {
  namespace: string;
  name: string;
  phase: string;
  ready: boolean;
  podIP?: string;
}

/** The pods as aligned columns, each as wide as its longest value (a pod name can be long: a Deployment's hash suffixes). */
export function podTable(pods: PodSummary[]): string[] {
  const rows = pods.map((p) => [`${p.namespace}/${p.name}`, p.phase, p.ready ? 'ready' : 'not ready', p.podIP ?? '']);
  const widths = [0, 1, 2].map((column) => Math.max(0, ...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  ').trimEnd());
}

export async function status(options: { json?: boolean; paths?: HomePaths } = {}): Promise<number> {
  const paths = options.paths ?? homePaths();
  const runtime = runningCluster(paths.clusterRuntime);
  let pods: PodSummary[] = [];
  let apiError: string | undefined;
  if (runtime) {
    try {
      const creds = credentialsFromKubeconfig(paths.kubeconfig);
      const list = await apiGet<{ items?: { metadata: { name: string; namespace: string }; status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] } }[] }>(creds, '/api/v1/pods');
      pods = (list.body.items ?? []).map((p) => ({ namespace: p.metadata.namespace, name: p.metadata.name, phase: p.status?.phase ?? 'Pending', ready: podReady(p), podIP: p.status?.podIP }));
    } catch (error) {
      apiError = (error as Error).message;
    }
  }
  const network = runtime?.network;
  const block = network ? (network.loopbackRange ? `127.${network.octet}.0.0/16` : '127.0.0.1 (ports remapped)') : undefined;
  if (options.json) {
    process.stdout.write(
      JSON.stringify({ running: Boolean(runtime), pid: runtime?.pid, apiUrl: runtime?.apiUrl, kubeconfig: paths.kubeconfig, home: paths.home, network: network ? { ...network, block } : undefined, pods, error: apiError }, null, 2) + '\n',
    );
    return runtime ? 0 : NOT_RUNNING;
  }
  if (!runtime) {
    process.stdout.write(`The cluster is not running (home ${paths.home}). Start it with: agw-workshop cluster up\n`);
    return NOT_RUNNING;
  }
  const lines = [`Cluster running (pid ${runtime.pid})`, `  API:        ${runtime.apiUrl}`, `  kubeconfig: ${paths.kubeconfig}`, `  network:    ${block}`, `  log:        ${paths.clusterLog}`];
  if (apiError) lines.push(`  API not answering: ${apiError}`);
  lines.push(pods.length ? '  pods:' : '  pods:       none');
  lines.push(...podTable(pods).map((row) => `    ${row}`));
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

export async function kubeconfig(options: { paths?: HomePaths } = {}): Promise<number> {
  const paths = options.paths ?? homePaths();
  process.stdout.write(`${paths.kubeconfig}\n`);
  if (!fs.existsSync(paths.kubeconfig)) process.stderr.write('(it does not exist yet: run `agw-workshop cluster up` first)\n');
  return 0;
}

export async function reset(options: { paths?: HomePaths } = {}): Promise<number> {
  const paths = options.paths ?? homePaths();
  await down({ paths, quiet: true });
  for (const target of [paths.clusterStore, paths.clusterPki, paths.kubeconfig, paths.clusterRuntime, paths.podLogs]) fs.rmSync(target, { recursive: true, force: true });
  for (const f of fs.existsSync(paths.cluster) ? fs.readdirSync(paths.cluster) : []) {
    if (f.startsWith('store.json.corrupt-') || f.startsWith('.store.json.')) fs.rmSync(`${paths.cluster}/${f}`, { force: true });
  }
  process.stdout.write(`Cluster reset: store and certificates under ${paths.cluster} removed.\n`);
  return 0;
}
