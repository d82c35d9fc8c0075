// `agw-workshop gateway proxy` flags, through the built CLI: help, and clear
// errors for a missing or malformed --gateway or --workers.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'source', 'cli.js');

function run(args: string[]) {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: build first (npx tsc -p tsconfig.json)`);
  return spawnSync(process.execPath, [cli, 'gateway', 'proxy', ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, KUBECONFIG: '/nonexistent' } });
}

test('--help prints the usage and exits 0', (t) => {
  const r = run(['--help']);
  t.is(r.status, 0);
  t.regex(r.stdout, /--gateway NAMESPACE\/NAME/);
  t.regex(r.stdout, /AGW_POD_IP/);
});

test('a missing or malformed --gateway is refused with exit 2', (t) => {
  const missing = run([]);
  t.is(missing.status, 2);
  t.regex(missing.stderr, /--gateway NAMESPACE\/NAME is required/);
  const malformed = run(['--gateway', 'Not/A/Name']);
  t.is(malformed.status, 2);
  t.regex(malformed.stderr, /got "Not\/A\/Name"/);
});

test('an unreadable kubeconfig is a clear error, exit 1', (t) => {
  const r = run(['--gateway', 'ns/gw', '--kubeconfig', '/nonexistent/kubeconfig']);
  t.is(r.status, 1);
  t.regex(r.stderr, /cannot load kubeconfig/);
});

test('--workers must be a whole number from 1 to 16 (exit 2); with 2 workers that cannot start, the primary says so and exits 1', (t) => {
  for (const bad of ['0', '17', 'two', '1.5']) {
    const r = run(['--gateway', 'ns/gw', '--workers', bad]);
    t.is(r.status, 2, bad);
    t.regex(r.stderr, /--workers must be a whole number from 1 to 16/);
  }
  // Each worker runs the same command line and fails on the kubeconfig; the primary stops and reports.
  const r = run(['--gateway', 'ns/gw', '--kubeconfig', '/nonexistent/kubeconfig', '--workers', '2']);
  t.is(r.status, 1);
  t.regex(r.stderr, /cannot load kubeconfig/);
  t.regex(r.stderr, /worker \d exited \(1\); stopping the others/);
});
