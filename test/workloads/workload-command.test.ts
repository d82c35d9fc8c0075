// `agw-workshop workload`: usage, unknown names, and a bad flag exit like the real images (message, non-zero).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cliPath } from './spawn-workload.js';

const cli = (...args: string[]) => spawnSync(process.execPath, [cliPath, 'workload', ...args], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '' } });

test('without a name it prints the workloads and exits 2; --help exits 0', (t) => {
  const bare = cli();
  t.is(bare.status, 2);
  for (const name of ['inference-sim', 'echo-basic', 'go-httpbin', 'tls-vhosts', 'jaeger', 'coredns', 'kube-proxy']) t.regex(bare.stdout, new RegExp(`^  ${name} `, 'm'));
  t.is(cli('--help').status, 0);
});

test('an unknown workload is named in the error', (t) => {
  const result = cli('nginx');
  t.is(result.status, 2);
  t.regex(result.stderr, /unknown workload "nginx"/);
});

test('bad flags are reported with the flag name', (t) => {
  const vhosts = cli('tls-vhosts', '--vhost', 'api.example.com');
  t.is(vhosts.status, 1);
  t.regex(vhosts.stderr, /tls-vhosts: --vhost "api\.example\.com": expected NAME=CERT_FILE,KEY_FILE/);
  const httpbin = cli('go-httpbin', '-bogus', '1');
  t.is(httpbin.status, 1);
  t.regex(httpbin.stderr, /unknown flag: --bogus/);
  const proxy = cli('kube-proxy');
  t.is(proxy.status, 1);
  t.regex(proxy.stderr, /no kubeconfig/);
});
