// The live adapter against the real lessons (no cluster needed): what the
// screens get from source/lesson, and a cluster that was never started.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLiveServices } from '../../source/tui/services/live-services.js';
import { gatewayReadiness } from '../../source/tui/services/cluster-status.js';

function freshHome(t: import('ava').ExecutionContext): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-tui-live-'));
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
  return home;
}

test('the real lessons are listed with their progress, in order', async (t) => {
  const services = createLiveServices({ home: freshHome(t) });
  const lessons = await services.listLessons();
  t.deepEqual(lessons.map((l) => l.id).slice(0, 2), ['setup', 'sni-matching']);
  for (const lesson of lessons) {
    t.is(lesson.status, 'not-started');
    t.is(lesson.completedSteps, 0);
    t.true(lesson.stepCount > 0);
  }
});

test('sni-matching as the lesson screen sees it: text, YAML, equivalent commands, presenter notes, probe requests', async (t) => {
  const home = freshHome(t);
  const services = createLiveServices({ home });
  const lesson = await services.loadLesson('sni-matching');
  t.true(lesson.steps.length > 5);
  t.true(lesson.steps.every((s) => s.title.length > 0));
  t.true(lesson.steps.some((s) => s.yaml?.includes('kind: Gateway')));
  t.true(lesson.steps.some((s) => s.commands.some((c) => c.tool === 'openssl' && c.command.includes('openssl req'))));
  t.true(lesson.steps.some((s) => s.commands.some((c) => c.tool === 'kubectl')));
  t.true(lesson.steps.some((s) => Boolean(s.presenterNotes)));
  const probes = lesson.steps.filter((s) => s.probe);
  const baz = probes.find((s) => s.probe!.url.includes('baz'));
  t.truthy(baz, 'a probe step for baz');
  // Certificates are referred to by their files in the lesson's work directory.
  t.true(baz!.probe!.caFile?.startsWith(path.join(home, 'work', 'sni-matching')));
  t.deepEqual(lesson.completed, []);
});

test('an embedded cluster never started is reported as not started, not as an error', async (t) => {
  const services = createLiveServices({ home: freshHome(t) });
  const saved = process.env.KUBECONFIG;
  delete process.env.KUBECONFIG;
  t.teardown(() => {
    if (saved !== undefined) process.env.KUBECONFIG = saved;
  });
  const status = await services.clusterStatus();
  t.is(status.kind, 'embedded');
  t.false(status.reachable);
  t.regex(status.description, /not started yet/);
  t.false(status.gateway.ready);
});

test('gateway readiness: the GatewayClass Accepted and the controller pods Ready', (t) => {
  const gc = (status: string, reason?: string) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'enterprise-agentgateway' }, status: { conditions: [{ type: 'Accepted', status, reason }] } });
  const pod = (name: string, ready: boolean) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
  t.deepEqual(gatewayReadiness(gc('True'), [pod('agentgateway-controller-x', true), pod('mock-gpt-4o-y', true)]), {
    ready: true,
    detail: 'GatewayClass enterprise-agentgateway Accepted; controller 1/1 ready',
  });
  t.deepEqual(gatewayReadiness(gc('True'), [pod('agentgateway-controller-x', false)]), { ready: false, detail: 'GatewayClass enterprise-agentgateway Accepted; controller 0/1 ready' });
  t.deepEqual(gatewayReadiness(gc('False', 'InvalidParameters'), []), { ready: false, detail: 'GatewayClass enterprise-agentgateway not Accepted (InvalidParameters)' });
  t.deepEqual(gatewayReadiness(undefined, []), { ready: false, detail: 'GatewayClass enterprise-agentgateway not found' });
});
