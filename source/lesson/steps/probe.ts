// probe: a real request to the gateway through its load-balancer address,
// judged against the lesson's expectation. What is reported is what the
// probe observed on the wire; nothing here invents an outcome.
import type { ProbeRequest } from '../../probe/types.js';
import type { StepContext, StepResult } from '../context.js';
import { gatewayAddressCommand } from '../equivalents.js';
import { curlCommand } from '../../probe/command-line.js';
import { probeAndJudge } from '../probe-adapter.js';
import type { ProbeSpec, ProbeStep } from '../types.js';
import { displayedProbeRequest } from '../probe-display.js';
import { sleep } from '../../common/sleep.js';
import { nodeOffersSessionsAcrossNames } from '../runtime-facts.js';

const DEFAULT_MAX_TIME_MS = 15_000;
/**
 * A Gateway's status can say Programmed before its proxy has applied the
 * change. A probe that does not yet see what the lesson expects is repeated
 * until SETTLE_WINDOW_MS has passed; each attempt is a real observation, and
 * the last one is reported.
 */
const SETTLE_WINDOW_MS = 15_000;
const SETTLE_INTERVAL_MS = 250;

/**
 * The lesson's probe spec as a ProbeRequest: variables filled, certificate
 * names turned into files. The request is the one the lesson view shows
 * (displayedProbeRequest), with every text filled asynchronously first, the
 * SNI filled too, and a time limit.
 */
export async function buildProbeRequest(spec: ProbeSpec, fill: (text: string) => Promise<string>, workDir: string): Promise<ProbeRequest> {
  const texts = [spec.url, ...(spec.resolve ?? []), ...(spec.headers ?? []).map(([, value]) => value), ...(spec.body !== undefined ? [spec.body] : []), ...(typeof spec.sni === 'string' ? [spec.sni] : [])];
  const filled = new Map<string, string>();
  for (const text of new Set(texts)) filled.set(text, await fill(text));
  const request = displayedProbeRequest(spec, workDir, (text) => filled.get(text)!);
  if (typeof spec.sni === 'string') request.sni = filled.get(spec.sni)!;
  request.maxTimeMs = spec.maxTimeMs ?? DEFAULT_MAX_TIME_MS;
  return request;
}

export function usesGatewayAddress(spec: ProbeSpec): boolean {
  return JSON.stringify(spec).includes('${GATEWAY_IP}');
}

export async function runProbe(ctx: StepContext): Promise<StepResult> {
  const step = ctx.step as ProbeStep;
  const request = await buildProbeRequest(step.probe, (text) => ctx.fill(text, step.source), ctx.workDir);
  if (usesGatewayAddress(step.probe)) {
    ctx.command('kubectl', gatewayAddressCommand(ctx.kubectl, await ctx.fill('${NAMESPACE}', step.source), await ctx.fill('${GATEWAY_NAME}', step.source)));
  }
  ctx.command('curl', curlCommand(request));
  if (ctx.signal.aborted) throw ctx.signal.reason;
  let { expect, explanation } = step;
  if (step.whereSessionsBoundToNames && !(await nodeOffersSessionsAcrossNames())) {
    ({ expect, explanation } = step.whereSessionsBoundToNames);
    ctx.output(`Node ${process.version}: its TLS client never offers a session saved for one name to another (measured on loopback), so a shared session cache cannot fail here; expecting what this runtime really does`);
  }
  const deadline = Date.now() + SETTLE_WINDOW_MS;
  let report = await probeAndJudge(request, expect, explanation, ctx.signal);
  for (let attempt = 1; !report.ok && Date.now() < deadline; attempt++) {
    const differs = report.verdicts.filter((v) => !v.ok).map((v) => `${v.field} ${v.observed}`).join(', ');
    ctx.progress(`attempt ${attempt}: ${differs}; probing again (the gateway may still be applying the change)`);
    await sleep(SETTLE_INTERVAL_MS, ctx.signal);
    report = await probeAndJudge(request, expect, explanation, ctx.signal);
  }
  ctx.emit({ type: 'probe-result', lessonId: ctx.lesson.id, index: ctx.index, ...report });
  if (report.ok) return { ok: true };
  const failed = report.verdicts.filter((v) => !v.ok).map((v) => `${v.field}: expected ${v.expected}, observed ${v.observed}`);
  return { ok: false, error: failed.join('; ') };
}
