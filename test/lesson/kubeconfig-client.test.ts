// Which backend a kubeconfig gets: plain ones (server, CA, token or client
// certificate) the small HTTP client; exec plugins and auth providers client-node.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSimpleKubeconfig } from '../../source/cluster/client-http.js';

function kubeconfig(user: string, extra = ''): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-kubeconfig-'));
  const file = path.join(dir, 'config');
  fs.writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: ${Buffer.from('CA').toString('base64')}
users:
- name: u
  user:
${user}
contexts:
- name: ctx
  context:
    cluster: c
    user: u
- name: other
  context:
    cluster: missing
    user: u
current-context: ctx
${extra}`,
  );
  return file;
}

test('a token kubeconfig is served by the small client', (t) => {
  const config = readSimpleKubeconfig(kubeconfig('    token: abc'));
  t.is(config?.server, 'https://127.0.0.1:6443');
  t.is(config?.token, 'abc');
  t.is(config?.ca?.toString(), 'CA');
  t.is(config?.context, 'ctx');
});

test('a client-certificate kubeconfig (kind, k3d) is served by the small client', (t) => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const config = readSimpleKubeconfig(kubeconfig(`    client-certificate-data: ${b64('CERT')}\n    client-key-data: ${b64('KEY')}`));
  t.is(config?.cert?.toString(), 'CERT');
  t.is(config?.key?.toString(), 'KEY');
});

test('exec plugins and auth providers go to client-node', (t) => {
  t.is(readSimpleKubeconfig(kubeconfig('    exec:\n      command: aws\n      apiVersion: client.authentication.k8s.io/v1')), undefined);
  t.is(readSimpleKubeconfig(kubeconfig('    auth-provider:\n      name: oidc')), undefined);
});

test('a context naming a missing cluster, or a missing file, is not simple', (t) => {
  t.is(readSimpleKubeconfig(kubeconfig('    token: abc'), 'other'), undefined);
  t.is(readSimpleKubeconfig('/nonexistent/kubeconfig'), undefined);
});
