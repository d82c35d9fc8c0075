// Starts `node dist/source/cli.js workload <name> ...` as a real process, the
// way a pod runs it, and waits for its "listening on HOST:PORT" lines.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = path.join(repoRoot, 'dist', 'source', 'cli.js');

export interface RunningWorkload {
  child: ChildProcess;
  /** Every "listening on host:port" the workload printed, in order. */
  listening: Array<{ host: string; port: number }>;
  output(): string;
  stop(): Promise<number | null>;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Spawns a workload and resolves once it printed `expectListeners` listening lines (bounded by `timeoutMs`). */
export async function startWorkload(name: string, args: string[], env: Record<string, string> = {}, expectListeners = 1, timeoutMs = 15_000): Promise<RunningWorkload> {
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} does not exist: build first (npx tsc -p tsconfig.json)`);
  const child = spawn(process.execPath, [cliPath, 'workload', name, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listening: Array<{ host: string; port: number }> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`workload ${name} did not listen within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      listening.length = 0;
      for (const match of output.matchAll(/listening on (\S+):(\d+)/g)) listening.push({ host: match[1]!, port: Number(match[2]) });
      if (listening.length >= expectListeners) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`workload ${name} exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    child,
    listening,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs a workload expected to fail at start; returns its exit code and output. */
export async function runFailingWorkload(name: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [cliPath, 'workload', name, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, output };
}
