// agw-workshop doctor [--json] — can this machine run the workshop?
// Hard problems (exit 1): Node too old, a real cluster that does not answer.
// Warnings: embedded cluster not running yet, no 127/8 range, 443 not
// bindable (mapped), kubectl/curl/openssl missing (only the by-hand commands need them).
import net from 'node:net';
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import { parseFlags } from '../report/parse-flags.js';

type Status = 'ok' | 'warn' | 'fail';
interface Check {
  check: string;
  status: Status;
  detail: string;
}

/** package.json's engines.node (undici, the probe's HTTP client, needs 20.18.1). */
export const MIN_NODE = [20, 18, 1] as const;

function nodeCheck(): Check {
  const version = process.versions.node.split('.').map(Number);
  const first = MIN_NODE.findIndex((part, i) => version[i] !== part);
  const ok = first < 0 || (version[first] ?? 0) > MIN_NODE[first]!;
  return { check: 'node', status: ok ? 'ok' : 'fail', detail: `Node ${process.versions.node}${ok ? '' : ` (need ${MIN_NODE.join('.')} or later)`}` };
}

function canListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

async function loopbackCheck(): Promise<Check> {
  const address = '127.77.3.4';
  const error = await canListen(address, 0);
  return error
    ? { check: 'loopback addressing', status: 'warn', detail: `cannot bind ${address} (${error}): everything shares 127.0.0.1 with remapped ports` }
    : { check: 'loopback addressing', status: 'ok', detail: `can bind 127.N.x.y addresses (tried ${address})` };
}

async function port443Check(): Promise<Check> {
  const error = await canListen('127.77.3.5', 443).then((e) => (e === 'EADDRNOTAVAIL' ? canListen('127.0.0.1', 443) : e));
  if (!error) return { check: 'port 443', status: 'ok', detail: 'bindable on loopback' };
  if (error === 'EADDRINUSE') return { check: 'port 443', status: 'warn', detail: 'in use on 127.0.0.1 (gateways use their own 127.N addresses where available)' };
  return { check: 'port 443', status: 'warn', detail: `not bindable (${error}): listeners on 443 are mapped to 8443, and the mapping is shown` };
}

function toolVersion(name: string, args: string[]): Promise<Check> {
  return new Promise((resolve) =>
    execFile(name, args, { timeout: 5000 }, (error, stdout) => {
      if (error) resolve({ check: name, status: 'warn', detail: `not found: the equivalent ${name} commands shown by lessons need it` });
      else resolve({ check: name, status: 'ok', detail: stdout.split('\n').find((l) => l.trim())!.trim() });
    }),
  );
}

async function clusterCheck(values: { context?: string; kubeconfig?: string }): Promise<Check> {
  const { resolveTarget } = await import('../lesson/cluster-target.js');
  const target = resolveTarget(values);
  if (target.embedded && (!target.kubeconfig || !fs.existsSync(target.kubeconfig))) {
    return { check: 'cluster', status: 'warn', detail: 'embedded cluster not started yet (lessons start it; or: agw-workshop cluster up)' };
  }
  const { createClusterClient } = await import('../cluster/client.js');
  const client = createClusterClient({ kubeconfig: target.kubeconfig, context: target.context });
  try {
    const version = await client.version();
    return { check: 'cluster', status: 'ok', detail: `${target.embedded ? 'embedded' : `context ${client.context}`} at ${client.server}, Kubernetes ${version}` };
  } catch (error) {
    return target.embedded
      ? { check: 'cluster', status: 'warn', detail: `embedded cluster not running (${(error as Error).message}); lessons start it` }
      : { check: 'cluster', status: 'fail', detail: (error as Error).message };
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags('agw-workshop doctor [--json] [--context NAME] [--kubeconfig FILE]', {
    args: argv,
    options: { json: { type: 'boolean' }, context: { type: 'string' }, kubeconfig: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('agw-workshop doctor [--json] [--context NAME] [--kubeconfig FILE]\n');
    return 0;
  }
  const checks = await Promise.all([
    nodeCheck(),
    clusterCheck(values),
    loopbackCheck(),
    port443Check(),
    toolVersion('kubectl', ['version', '--client']),
    toolVersion('curl', ['--version']),
    toolVersion('openssl', ['version']),
  ]);
  const failed = checks.some((c) => c.status === 'fail');
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ok: !failed, checks }, null, 2)}\n`);
  } else {
    const width = Math.max(...checks.map((c) => c.check.length));
    for (const c of checks) process.stdout.write(`${c.status === 'ok' ? '✓' : c.status === 'warn' ? '!' : '✗'} ${c.check.padEnd(width)}  ${c.detail}\n`);
    process.stdout.write(failed ? '\nA hard problem stops the workshop here; see ✗ above.\n' : '\nReady.\n');
  }
  return failed ? 1 : 0;
}
