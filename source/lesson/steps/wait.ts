// wait: a condition on an object, bounded in time, with progress. Conditions
// are looked for where Gateway API and apps/v1 put them: status.conditions,
// status.parents[].conditions for routes, status.ancestors[].conditions for
// policies (BackendTLSPolicy).
import { stringify } from 'yaml';
import type { KubeObject } from '../../cluster/client.js';
import type { StepContext, StepResult } from '../context.js';
import { kubectlGetYaml, kubectlWait } from '../equivalents.js';
import { isNamespaced } from '../manifests.js';
import type { WaitCondition, WaitStep } from '../types.js';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

/**
 * The object's own conditions; for routes and policies, which have none of
 * their own, the conditions per parent or ancestor. Listener conditions are never taken for the
 * Gateway's: a listener can be Programmed while the Gateway is not.
 */
function conditionsOf(object: KubeObject): Condition[] {
  const status = (object.status ?? {}) as { conditions?: Condition[]; parents?: { conditions?: Condition[] }[]; ancestors?: { conditions?: Condition[] }[] };
  if (status.conditions?.length) return status.conditions;
  // Policies (GEP-713) report per ancestor, as routes do per parent.
  return [...(status.parents ?? []), ...(status.ancestors ?? [])].flatMap((p) => p.conditions ?? []);
}

/** The condition holds, and was written for the current generation (not a stale one from before our change). */
export function conditionHolds(object: KubeObject | undefined, wanted: WaitCondition): boolean {
  if (!object) return false;
  const generation = (object.metadata as { generation?: number }).generation;
  return conditionsOf(object).some(
    (c) =>
      c.type === wanted.type &&
      c.status === wanted.status &&
      (wanted.reason === undefined || c.reason === wanted.reason) &&
      (generation === undefined || c.observedGeneration === undefined || c.observedGeneration >= generation),
  );
}

export function describeConditions(object: KubeObject | undefined, type: string): string {
  if (!object) return 'not found yet';
  const found = conditionsOf(object).filter((c) => c.type === type);
  if (!found.length) return `no ${type} condition yet`;
  const generation = (object.metadata as { generation?: number }).generation;
  return found
    .map((c) => {
      const stale = generation !== undefined && c.observedGeneration !== undefined && c.observedGeneration < generation;
      return `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${stale ? ` for generation ${c.observedGeneration}, not yet ${generation}` : ''}`;
    })
    .join(', ');
}

export async function runWait(ctx: StepContext): Promise<StepResult> {
  const step = ctx.step as WaitStep;
  const namespace = isNamespaced(step.object.kind) ? await ctx.fill(step.object.namespace ?? '${NAMESPACE}', step.source) : undefined;
  const ref = { ...step.object, name: await ctx.fill(step.object.name, step.source), namespace };
  ctx.command('kubectl', kubectlWait(ctx.kubectl, step, namespace));
  const client = await ctx.client();
  const started = Date.now();
  let lastSaid = '';
  const want = `${step.condition.type}=${step.condition.status}${step.condition.reason ? ` (${step.condition.reason})` : ''}`;
  try {
    const object = await client.waitFor(ref, (o) => conditionHolds(o, step.condition), {
      timeoutMs: step.timeoutSeconds * 1000,
      signal: ctx.signal,
      onPoll: (o) => {
        const now = describeConditions(o, step.condition.type);
        if (now !== lastSaid) ctx.progress(`${ref.kind.toLowerCase()}/${ref.name}: ${now}; waiting for ${want}`);
        lastSaid = now;
      },
    });
    ctx.output(`${ref.kind.toLowerCase()}/${ref.name}: ${want} after ${((Date.now() - started) / 1000).toFixed(1)}s`);
    if (step.showStatus && object) {
      ctx.command('kubectl', kubectlGetYaml(ctx.kubectl, ref));
      ctx.output(`status:\n${stringify(object.status ?? {}).trimEnd()}`);
    }
    return { ok: true };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const last = (error as { lastSeen?: KubeObject }).lastSeen;
    // The usual reason on a real cluster: the gateway controller is not installed there.
    const hint = !last && ref.kind === 'GatewayClass' && !ctx.target.embedded ? ' (is the gateway installed? kubectl apply -f manifests/install/real-cluster/)' : '';
    return { ok: false, error: `${(error as Error).message}: ${describeConditions(last, step.condition.type)}, wanted ${want}${hint}` };
  }
}
