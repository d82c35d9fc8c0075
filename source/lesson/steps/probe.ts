// probe: a real request to the gateway through its load-balancer address,
// judged against the lesson's expectation. What is reported is what the
// probe observed on the wire; nothing here invents an outcome.
import type { ProbeRequest } from '../../probe/types.js';
import type { StepContext, StepResult } from '../context.js';
import { curlCommand, gatewayAddressCommand } from '../equivalents.js';
import { probeAndJudge } from '../probe-adapter.js';
import type { ProbeSpec, ProbeStep } from '../types.js';
import { certificateFiles } from './certs.js';
import { sleep } from '../sleep.js';

const DEFAULT_MAX_TIME_MS = 15_000;
/**
 * A Gateway's status can say Programmed before its proxy has applied the
 * change. A probe that does not yet see what the lesson expects is repeated
 * until SETTLE_WINDOW_MS has passed; each attempt is a real observation, and
 * the last one is reported.
 */
const SETTLE_WINDOW_MS = 15_000;
const SETTLE_INTERVAL_MS = 250;

/** The lesson's probe spec as a ProbeRequest: variables filled, certificate names turned into files. */
export async function buildProbeRequest(spec: ProbeSpec, fill: (text: string) => Promise<string>, workDir: string): Promise<ProbeRequest> {
  const request: ProbeRequest = { url: await fill(spec.url), maxTimeMs: spec.maxTimeMs ?? DEFAULT_MAX_TIME_MS };
  if (spec.resolve) request.resolve = await Promise.all(spec.resolve.map(fill));
  if (spec.sni !== undefined) request.sni = spec.sni === null ? null : await fill(spec.sni);
  if (spec.cacert) request.caFile = certificateFiles(workDir, spec.cacert).certFile;
  if (spec.clientCert) {
    const files = certificateFiles(workDir, spec.clientCert);
    request.certFile = files.certFile;
    request.keyFile = files.keyFile;
  }
  if (spec.insecure) request.insecure = true;
  if (spec.alpn) request.alpn = spec.alpn;
  if (spec.httpVersion) request.httpVersion = spec.httpVersion;
  if (spec.method) request.method = spec.method;
  if (spec.headers) request.headers = await Promise.all(spec.headers.map(async ([k, v]) => [k, await fill(v)] as [string, string]));
  if (spec.body !== undefined) request.body = await fill(spec.body);
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
  const deadline = Date.now() + SETTLE_WINDOW_MS;
  let report = await probeAndJudge(request, step.expect, step.explanation, ctx.signal);
  for (let attempt = 1; !report.ok && Date.now() < deadline; attempt++) {
    const differs = report.verdicts.filter((v) => !v.ok).map((v) => `${v.field} ${v.observed}`).join(', ');
    ctx.progress(`attempt ${attempt}: ${differs}; probing again (the gateway may still be applying the change)`);
    await sleep(SETTLE_INTERVAL_MS, ctx.signal);
    report = await probeAndJudge(request, step.expect, step.explanation, ctx.signal);
  }
  ctx.emit({ type: 'probe-result', lessonId: ctx.lesson.id, index: ctx.index, ...report });
  if (report.ok) return { ok: true };
  const failed = report.verdicts.filter((v) => !v.ok).map((v) => `${v.field}: expected ${v.expected}, observed ${v.observed}`);
  return { ok: false, error: failed.join('; ') };
}
