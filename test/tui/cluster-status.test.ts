// Wording and alignment of the cluster's status (issue 15.13): the home
// screen names the API server's URL, not "(kubeconfig …)", even when the
// cluster is stopped; `cluster status` keeps its pod columns aligned
// whatever the length of the pod names.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClusterClient } from '../../source/cluster/client.js';
import { podTable } from '../../source/cluster/embedded/lifecycle/lifecycle.js';
import { checkCluster } from '../../source/tui/services/cluster-status.js';

test('a stopped embedded cluster is described by its API URL from the kubeconfig, never "at (kubeconfig …)"', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-cluster-status-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = path.join(dir, 'kubeconfig');
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  fs.writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n`,
  );
  const status = await checkCluster({ embedded: true, kubeconfig }, () => createClusterClient({ kubeconfig }));
  t.false(status.reachable);
  t.is(status.description, 'embedded cluster at https://127.0.0.1:1');
});

test('cluster status: pod columns stay aligned with long pod names', (t) => {
  const rows = podTable([
    { namespace: 'kube-system', name: 'kube-proxy', phase: 'Running', ready: true, podIP: '127.7.1.2' },
    { namespace: 'agentgateway-system', name: 'agentgateway-proxy-5d8c7b9f6d-x7k2q-with-a-very-long-suffix', phase: 'Pending', ready: false, podIP: '127.7.1.3' },
    { namespace: 'default', name: 'echo', phase: 'Running', ready: true },
  ]);
  const phaseColumn = rows.map((r) => r.search(/Running|Pending/));
  t.is(new Set(phaseColumn).size, 1, rows.join('\n'));
  const readyColumn = rows.map((r) => r.search(/ready|not ready/));
  t.is(new Set(readyColumn).size, 1, rows.join('\n'));
  t.true(rows.every((r) => !r.endsWith(' ')));
});
