// One embedded cluster per test file: its own AGW_WORKSHOP_HOME, started with
// the built CLI (`node dist/source/cli.js cluster up`), stopped with
// `cluster down`. `kubectl` runs the real kubectl against it with its own
// discovery cache, so test files never share state.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = path.join(repoRoot, 'dist', 'source', 'cli.js');

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestCluster {
  home: string;
  kubeconfig: string;
  apiUrl: string;
  /** Bearer token (from the kubeconfig). */
  token: string;
  /** CA certificate of the API (PEM). */
  caPem: string;
  /** Runs the real kubectl with --kubeconfig and a per-cluster --cache-dir; never throws on a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<CommandResult>;
  /** Runs kubectl as `kubectl` does and returns its stdout; throws with kubectl's output on a non-zero exit. */
  kubectlOk(args: string[], input?: string): Promise<string>;
  /** `kubectl create namespace <name>`; throws if kubectl fails. */
  createNamespace(name: string): Promise<void>;
  /** Runs `node dist/source/cli.js <args>` with this cluster's home. */
  cli(args: string[], input?: string): Promise<CommandResult>;
  stop(): Promise<void>;
}

export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error(`${command} is not installed; these tests need the real ${command} (apt-get install -y ${command})`)
          : new Error(`${command} could not be started (${error.message})`),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    // A child that exits without reading its stdin (most commands here) makes this write fail with
    // EPIPE; that is not the test's failure, and unhandled it would crash the whole test file.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

export async function requireTool(name: string): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    execFile(name, name === 'kubectl' ? ['version', '--client'] : name === 'openssl' ? ['version'] : ['--version'], (error) =>
      error ? reject(new Error(`${name} is required for these tests and was not found on PATH`)) : resolve(),
    ),
  );
}

function readKubeconfig(file: string): { apiUrl: string; token: string; caPem: string } {
  const text = fs.readFileSync(file, 'utf8');
  const server = /server:\s*(\S+)/.exec(text)?.[1];
  const token = /token:\s*(\S+)/.exec(text)?.[1];
  const ca = /certificate-authority-data:\s*(\S+)/.exec(text)?.[1];
  if (!server || !token || !ca) throw new Error(`kubeconfig ${file} lacks server, token or CA`);
  return { apiUrl: server, token, caPem: Buffer.from(ca, 'base64').toString('utf8') };
}

/** When `cluster down` itself fails (a broken build), the test still must not leave its cluster running. */
function stopByPid(home: string): void {
  try {
    const { pid } = JSON.parse(fs.readFileSync(path.join(home, 'cluster', 'runtime.json'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
    process.kill(pid, 'SIGKILL');
  } catch {
    // no runtime.json or the process is gone: nothing to stop
  }
}

/** Starts a cluster in a fresh temp home. Call `stop()` in `test.after.always`. */
export async function startTestCluster(options: { home?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TestCluster> {
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} does not exist: build first (npx tsc -p tsconfig.json)`);
  await requireTool('kubectl');
  const home = options.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'agw-cluster-test-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, AGW_WORKSHOP_HOME: home };
  delete env.KUBECONFIG;
  const cli = (args: string[], input?: string) => run(process.execPath, [cliPath, ...args], { env, input, timeoutMs: 120_000 });
  const up = await cli(['cluster', 'up', '--timeout', '90']);
  if (up.code !== 0) {
    if ((await cli(['cluster', 'down'])).code !== 0) stopByPid(home);
    const log = fs.existsSync(path.join(home, 'cluster', 'cluster.log')) ? fs.readFileSync(path.join(home, 'cluster', 'cluster.log'), 'utf8') : '';
    if (!options.home) fs.rmSync(home, { recursive: true, force: true });
    throw new Error(`cluster up failed (${up.code}):\n${up.stdout}\n${up.stderr}\ncluster.log:\n${log.slice(-4000)}`);
  }
  const kubeconfig = path.join(home, 'cluster', 'kubeconfig.yaml');
  const facts = readKubeconfig(kubeconfig);
  const cacheDir = path.join(home, 'kube-cache');
  let stopped = false;
  const kubectl = (args: string[], input?: string) => run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { env, input });
  const kubectlOk = async (args: string[], input?: string) => {
    const result = await kubectl(args, input);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}):\n${result.stderr}${result.stdout}`);
    return result.stdout;
  };
  return {
    home,
    kubeconfig,
    ...facts,
    kubectl,
    kubectlOk,
    async createNamespace(name) {
      await kubectlOk(['create', 'namespace', name]);
    },
    cli,
    async stop() {
      if (stopped) return;
      stopped = true;
      const down = await cli(['cluster', 'down']);
      if (down.code !== 0) stopByPid(home);
      if (!options.home) fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
