// The probe playground: re-run a lesson's probe with the learner's changes
// (SNI, Host, path, client certificate, CA, ALPN, Authorization) and judge the result
// against the step's expectation, to see for yourself why baz fails.
import type { ProbeRequest } from '../probe/types.js';
import type { ProbeVerdict } from '../explain/types.js';
import { curlCommand } from '../probe/command-line.js';
import { probeAndJudge } from './probe-adapter.js';
import { prepareEnvironment, type RunnerOptions } from './runner.js';
import { buildProbeRequest } from './steps/probe.js';
import { certificateFiles } from './steps/certs.js';
import type { ProbeStep } from './types.js';

export interface ProbeOverrides {
  /** null sends no SNI; a string replaces the SNI (the URL's host otherwise). */
  sni?: string | null;
  /** Host header (the URL's host by default). */
  host?: string;
  /** Path and query, e.g. /v1/models. */
  path?: string;
  /** A certificate name of the lesson (e.g. "client"), or `{certFile, keyFile}`; null sends none. */
  clientCert?: string | { certFile: string; keyFile: string } | null;
  /** A certificate name of the lesson used as CA bundle, or a file path; null verifies against nothing (like -k). */
  cacert?: string | null;
  alpn?: string[];
  insecure?: boolean;
  /** The Authorization header, lesson variables such as `${TOKEN_BOB}` filled; null sends none. */
  authorization?: string | null;
}

export interface ProbeStepOptions extends Omit<RunnerOptions, 'fromStep' | 'toStep' | 'runPrerequisites'> {
  /** Index (0-based) or id of a probe step. */
  step: number | string;
  overrides?: ProbeOverrides;
}

export interface ProbeStepReport extends ProbeVerdict {
  request: ProbeRequest;
  /** The same request as a curl command line. */
  curl: string;
}

export async function runProbeStep(options: ProbeStepOptions): Promise<ProbeStepReport> {
  const signal = options.signal ?? new AbortController().signal;
  const env = await prepareEnvironment(options, () => {}, signal);
  const step = typeof options.step === 'number' ? env.lesson.steps[options.step] : env.lesson.steps.find((s) => s.id === options.step);
  if (!step || step.kind !== 'probe') throw new Error(`${env.lesson.id}: step ${options.step} is not a probe step`);
  const probeStep = step as ProbeStep;
  const request = await buildProbeRequest(probeStep.probe, (text) => env.resolver.fill(text, probeStep.source), env.workDir);
  const overrides = { ...options.overrides };
  if (typeof overrides.authorization === 'string') overrides.authorization = await env.resolver.fill(overrides.authorization, `${probeStep.source} (playground)`);
  applyOverrides(request, overrides, env.workDir);
  const report = await probeAndJudge(request, probeStep.expect, probeStep.explanation);
  return { request, curl: curlCommand(request), ...report };
}

export function applyOverrides(request: ProbeRequest, o: ProbeOverrides, workDir: string): void {
  if (o.sni !== undefined) request.sni = o.sni;
  if (o.path !== undefined) {
    const url = new URL(request.url);
    const target = new URL(o.path.startsWith('/') ? o.path : `/${o.path}`, url);
    request.url = target.toString();
  }
  if (o.host !== undefined) {
    request.headers = [...(request.headers ?? []).filter(([k]) => k.toLowerCase() !== 'host'), ['Host', o.host]];
  }
  if (o.clientCert !== undefined) {
    if (o.clientCert === null) {
      delete request.certFile;
      delete request.keyFile;
    } else {
      const files = typeof o.clientCert === 'string' ? certificateFiles(workDir, o.clientCert) : o.clientCert;
      request.certFile = files.certFile;
      request.keyFile = files.keyFile;
    }
  }
  if (o.cacert !== undefined) {
    if (o.cacert === null) delete request.caFile;
    else request.caFile = o.cacert.includes('/') ? o.cacert : certificateFiles(workDir, o.cacert).certFile;
  }
  if (o.alpn !== undefined) request.alpn = o.alpn;
  if (o.insecure !== undefined) request.insecure = o.insecure;
  if (o.authorization !== undefined) {
    request.headers = (request.headers ?? []).filter(([k]) => k.toLowerCase() !== 'authorization');
    if (o.authorization !== null) request.headers.push(['authorization', o.authorization]);
  }
}
