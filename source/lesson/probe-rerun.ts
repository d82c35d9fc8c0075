// The runner's probe re-run: run one probe step of a lesson again, with the
// learner's edits (the playground's SNI, Host, path, client certificate, CA,
// ALPN, Authorization), and judge the result against the step's expectation.
import type { ProbeRequest } from '../probe/types.js';
import type { ProbeVerdict } from '../explain/types.js';
import { curlCommand } from '../probe/command-line.js';
import { probeAndJudge } from './probe-adapter.js';
import { applyEdits, type ProbeEdits } from '../probe/request-edits.js';
import { prepareEnvironment, type RunnerOptions } from './runner.js';
import { buildProbeRequest } from './steps/probe.js';
import { certificateFiles } from './steps/certs.js';
import type { ProbeStep } from './types.js';

export interface ProbeStepOptions extends Omit<RunnerOptions, 'fromStep' | 'toStep' | 'runPrerequisites'> {
  /** Index (0-based) or id of a probe step. */
  step: number | string;
  /** The learner's changes (the playground's), applied to the request the step builds from the lesson. */
  edits?: ProbeEdits;
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
  const built = await buildProbeRequest(probeStep.probe, (text) => env.resolver.fill(text, probeStep.source), env.workDir);
  const edits = await lessonEdits(options.edits ?? {}, env.workDir, (text) => env.resolver.fill(text, `${probeStep.source} (playground)`));
  const request = applyEdits(built, edits);
  const report = await probeAndJudge(request, probeStep.expect, probeStep.explanation);
  return { request, curl: curlCommand(request), ...report };
}

/**
 * What edits mean in a lesson beyond the probe's own meaning: the Authorization
 * header's lesson variables (${TOKEN_BOB}) are filled, and a CA given by a
 * certificate's name (no '/') is that certificate of the lesson's work dir.
 */
export async function lessonEdits(edits: ProbeEdits, workDir: string, fill: (text: string) => Promise<string>): Promise<ProbeEdits> {
  const out = { ...edits };
  if (typeof out.authorization === 'string') out.authorization = await fill(out.authorization);
  if (typeof out.cacert === 'string' && !out.cacert.includes('/')) out.cacert = certificateFiles(workDir, out.cacert).certFile;
  return out;
}
