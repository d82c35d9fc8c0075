// `cluster up|down|status|kubeconfig|reset`, persistence across down/up and
// across kill -9, and two homes side by side.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { collectWatch, request } from './request.js';

let cluster: TestCluster;

test.before(async () => {
  cluster = await startTestCluster();
});
test.after.always(async () => {
  await cluster?.stop();
});

function runtime(): { pid: number; apiUrl: string; port: number } {
  return JSON.parse(fs.readFileSync(path.join(cluster.home, 'cluster', 'runtime.json'), 'utf8'));
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test.serial('status, kubeconfig and a second up describe the running cluster; secrets are private files', async (t) => {
  const status = await cluster.cli(['cluster', 'status', '--json']);
  t.is(status.code, 0, status.stderr);
  const facts = JSON.parse(status.stdout);
  t.true(facts.running);
  t.is(facts.apiUrl, cluster.apiUrl);
  t.is(facts.kubeconfig, cluster.kubeconfig);
  t.regex(facts.network.block, /^127\.\d+\.0\.0\/16$|^127\.0\.0\.1/);
  const human = await cluster.cli(['cluster', 'status']);
  t.regex(human.stdout, /Cluster running/);
  t.true(human.stdout.includes(cluster.apiUrl));
  const kubeconfig = await cluster.cli(['cluster', 'kubeconfig']);
  t.is(kubeconfig.stdout.trim(), cluster.kubeconfig);
  const again = await cluster.cli(['cluster', 'up']);
  t.is(again.code, 0);
  t.regex(again.stdout, /already running/);
  t.is((fs.statSync(cluster.kubeconfig).mode & 0o777).toString(8), '600');
  for (const key of ['ca.key', 'apiserver.key', 'token']) t.is((fs.statSync(path.join(cluster.home, 'cluster', 'pki', key)).mode & 0o777).toString(8), '600', key);
  const context = await cluster.kubectl(['config', 'current-context']);
  t.is(context.stdout.trim(), 'agw-workshop');
});

test.serial('a Pod of the project image with args [cluster, down] is refused by the kubelet and the cluster keeps running', async (t) => {
  const applied = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: stopper, namespace: default}\nspec:\n  restartPolicy: Never\n  containers: [{name: c, image: ghcr.io/agw-workshop/agw-workshop, args: [cluster, down]}]\n');
  t.is(applied.code, 0, applied.stderr);
  const waiting = await cluster.kubectl(['wait', 'pod/stopper', '--for=jsonpath={.status.containerStatuses[0].state.waiting.reason}=CreateContainerConfigError', '--timeout=20s']);
  t.is(waiting.code, 0, waiting.stderr);
  const message = await cluster.kubectlOk(['get', 'pod', 'stopper', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.message}']);
  t.regex(message, /runs only "gateway \.\.\." and "workload \.\.\." in a pod, not "cluster down"/);
  const status = JSON.parse((await cluster.cli(['cluster', 'status', '--json'])).stdout);
  t.true(status.running, 'the cluster still runs');
  t.is((await cluster.kubectl(['delete', 'pod', 'stopper', '--wait=false'])).code, 0);
});

test.serial('objects survive cluster down and up, on the same port with the same credentials; a learner\'s broken Deployment does not hold up `cluster up`', async (t) => {
  const applied = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: durable, namespace: default}\ndata: {k: v}\n');
  t.is(applied.code, 0, applied.stderr);
  const stuck = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: never-ready, namespace: agentgateway-system}\nspec:\n  selector: {matchLabels: {app: never-ready}}\n  template:\n    metadata: {labels: {app: never-ready}}\n    spec: {containers: [{name: c, image: example.invalid/unknown-image}]}\n');
  t.is(stuck.code, 0, stuck.stderr);
  const before = runtime();
  const down = await cluster.cli(['cluster', 'down']);
  t.is(down.code, 0, down.stderr);
  t.false(fs.existsSync(path.join(cluster.home, 'cluster', 'runtime.json')));
  const downAgain = await cluster.cli(['cluster', 'down']);
  t.is(downAgain.code, 0);
  t.regex(downAgain.stdout, /not running/);
  const notRunning = JSON.parse((await cluster.cli(['cluster', 'status', '--json'])).stdout);
  t.false(notRunning.running);
  const up = await cluster.cli(['cluster', 'up']);
  t.is(up.code, 0, up.stderr);
  t.regex(up.stdout, /Found: the previous cluster stopped cleanly at \S+ after SIGTERM/);
  t.is(runtime().port, before.port);
  const got = await cluster.kubectl(['get', 'configmap', 'durable', '-o', 'jsonpath={.data.k}']);
  t.is(got.code, 0, got.stderr);
  t.is(got.stdout, 'v');
});

test.serial('after kill -9 the store loads with every acknowledged write (60 concurrent creates, killed at once); a watch from before the restart gets 410', async (t) => {
  const applied = await cluster.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: before-crash, namespace: default}\ndata: {k: v}\n');
  t.is(applied.code, 0, applied.stderr);
  const rv = (await cluster.kubectl(['get', 'configmap', 'before-crash', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;
  const storeFile = path.join(cluster.home, 'cluster', 'store.json');
  // 60 creates at once; the kill follows the last acknowledgement with no wait for the disk.
  const created = await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      request(cluster, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `acked-${i}`, labels: { burst: 'kill9' } }, data: { i: String(i) } }),
      }),
    ),
  );
  t.deepEqual(created.map((r) => r.status), Array(60).fill(201));
  const { pid } = runtime();
  process.kill(pid, 'SIGKILL');
  await waitFor('the cluster process to die', () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  });
  t.notThrows(() => JSON.parse(fs.readFileSync(storeFile, 'utf8')));
  const status = JSON.parse((await cluster.cli(['cluster', 'status', '--json'])).stdout);
  t.false(status.running);
  fs.writeFileSync(path.join(cluster.home, 'cluster', 'cluster.lock'), String(pid)); // as a crash mid-start leaves it
  const up = await cluster.cli(['cluster', 'up']);
  t.is(up.code, 0, up.stderr);
  t.regex(up.stdout, new RegExp(`Found: the previous cluster process \\(pid ${pid}, started \\S+\\) is gone without a clean stop`));
  t.regex(up.stdout, new RegExp(`Found: a start lock of pid ${pid}, which is gone \\(removed\\)`));
  const got = await cluster.kubectl(['get', 'configmap', 'before-crash', '-o', 'jsonpath={.data.k}']);
  t.is(got.stdout, 'v');
  const survivors = await request(cluster, 'GET', '/api/v1/namespaces/default/configmaps?labelSelector=burst%3Dkill9');
  t.is(survivors.json.items.length, 60, 'every acknowledged create survived kill -9');
  const older = String(Number(rv) - 1);
  const events = await collectWatch(cluster, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${older}`, (e) => e.length > 0);
  t.is(events[0]!.type, 'ERROR');
  t.is(events[0]!.object.code, 410);
  t.regex(events[0]!.object.message, /too old resource version/);
});

test.serial('two homes run two independent clusters side by side', async (t) => {
  const second = await startTestCluster();
  t.teardown(() => second.stop());
  t.not(second.apiUrl, cluster.apiUrl);
  const a = JSON.parse((await cluster.cli(['cluster', 'status', '--json'])).stdout);
  const b = JSON.parse((await second.cli(['cluster', 'status', '--json'])).stdout);
  t.not(a.network.octet, b.network.octet);
  await second.kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: only-in-second, namespace: default}\n');
  const missing = await cluster.kubectl(['get', 'configmap', 'only-in-second']);
  t.is(missing.code, 1);
  const present = await second.kubectl(['get', 'configmap', 'only-in-second']);
  t.is(present.code, 0);
});

test.serial('reset stops the cluster and wipes its store and certificates; a new up starts empty', async (t) => {
  const reset = await cluster.cli(['cluster', 'reset']);
  t.is(reset.code, 0, reset.stderr);
  t.false(fs.existsSync(path.join(cluster.home, 'cluster', 'store.json')));
  t.false(fs.existsSync(path.join(cluster.home, 'cluster', 'pki')));
  t.is((await cluster.cli(['cluster', 'reset'])).code, 0);
  const up = await cluster.cli(['cluster', 'up']);
  t.is(up.code, 0, up.stderr);
  const kubeconfig = fs.readFileSync(cluster.kubeconfig, 'utf8');
  const token = /token:\s*(\S+)/.exec(kubeconfig)![1];
  t.not(token, cluster.token);
  const got = await cluster.kubectl(['get', 'configmap', 'durable']);
  t.is(got.code, 1);
  const ns = await cluster.kubectl(['get', 'namespace', 'kube-system']);
  t.is(ns.code, 0, ns.stderr);
});
