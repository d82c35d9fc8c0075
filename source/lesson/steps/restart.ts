// restart: the bug report's "restart the pod to clear any cached state" —
// delete the pods a label selector picks, then wait until their controller's
// replacement is Ready. Pods are not journaled: the controller owns them, so
// cleanup has nothing to put back.
import type { KubeObject } from '../../cluster/client.js';
import type { StepContext, StepResult } from '../context.js';
import { kubectlRestartPods } from '../equivalents.js';
import { sleep } from '../../common/sleep.js';
import type { RestartStep } from '../types.js';

const POLL_MS = 250;

function isReady(pod: KubeObject): boolean {
  const status = (pod.status ?? {}) as { phase?: string; conditions?: { type: string; status: string }[] };
  return status.phase === 'Running' && (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export async function runRestart(ctx: StepContext): Promise<StepResult> {
  const step = ctx.step as RestartStep;
  const namespace = await ctx.fill(step.namespace ?? '${NAMESPACE}', step.source);
  for (const command of kubectlRestartPods(ctx.kubectl, namespace, step.selector, step.timeoutSeconds)) ctx.command('kubectl', command);
  const client = await ctx.client();
  const before = await client.list('v1', 'Pod', namespace, step.selector);
  if (before.length === 0) return { ok: false, error: `no pod in ${namespace} matches ${step.selector}` };
  const old = new Set(before.map((p) => p.metadata.uid as string));
  for (const pod of before) {
    const result = await client.delete({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace });
    ctx.output(`pod/${pod.metadata.name} ${result === 'deleted' ? 'deleted' : 'already gone'}`);
  }
  const started = Date.now();
  const deadline = started + step.timeoutSeconds * 1000;
  let said = '';
  while (Date.now() < deadline) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const pods = await client.list('v1', 'Pod', namespace, step.selector);
    const stale = pods.filter((p) => old.has(p.metadata.uid as string));
    const ready = pods.filter((p) => !old.has(p.metadata.uid as string) && isReady(p));
    if (stale.length === 0 && ready.length > 0) {
      ctx.output(`${ready.map((p) => `pod/${p.metadata.name}`).join(', ')} ready after ${((Date.now() - started) / 1000).toFixed(1)}s (new pod, empty caches)`);
      return { ok: true };
    }
    const now = stale.length ? `${stale.length} old pod(s) still terminating` : 'waiting for the new pod to be ready';
    if (now !== said) ctx.progress(now);
    said = now;
    await sleep(POLL_MS, ctx.signal);
  }
  return { ok: false, error: `no new ready pod for ${step.selector} in ${namespace} within ${step.timeoutSeconds}s (${said})` };
}
