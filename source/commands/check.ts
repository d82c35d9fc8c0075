// agw-workshop check <lesson> [step] — judges the current state by effect:
// objects in the cluster, certificate files and Secrets, and the requests the
// gateway logged. It never runs a step. Exit 0 when every step's effect holds
// (up to the given step), 1 naming the first step whose effect is missing.
import { parseArgs } from 'node:util';
import { checkLesson, type StepCheck } from '../lesson/check/index.js';
import { loadLesson } from '../lesson/index.js';
import { plural } from '../common/plural.js';
import { clusterTargetOf, COMMON_OPTIONS, stepIndex, usageError } from './command-support.js';

const USAGE = 'agw-workshop check <lesson>[:<step>] [<step>] [--json] [--dir DIR]... [--since TIME] [--context NAME] [--kubeconfig FILE] [--namespace NS]';

const MARK: Record<StepCheck['status'], string> = { ok: '✓', nothing: '·', superseded: '↷', missing: '✗', mismatch: '✗', unobservable: '?' };

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...COMMON_OPTIONS, dir: { type: 'string', multiple: true }, since: { type: 'string' } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(
      `${USAGE}\n\nJudges whether each step's effect is there, without running anything: objects and their status,\n` +
        `certificate files (the lesson's work directory, the current directory and --dir) and TLS Secrets,\n` +
        `and for probe steps the requests the gateway's access log recorded (your own curl or openssl).\n` +
        `Exit 0 when every step (up to <step>) holds; otherwise 1, naming the first step whose effect is missing.\n`,
    );
    return 0;
  }
  if (positionals.length < 1 || positionals.length > 2) return usageError('check needs <lesson> [step]', USAGE);
  const [lessonId, inlineStep] = positionals[0]!.split(':', 2) as [string, string | undefined];
  const stepText = positionals[1] ?? inlineStep;
  const lesson = await loadLesson(lessonId);
  const upTo = stepText ? stepIndex(lesson.steps, stepText, lesson.id) : undefined;
  let since: number | undefined;
  if (values.since) {
    since = Date.parse(values.since);
    if (!Number.isFinite(since)) return usageError(`--since ${values.since}: not a time (use ISO 8601, e.g. 2026-01-23T18:46:30Z)`, USAGE);
  }
  const result = await checkLesson({
    lessonId,
    ...(upTo !== undefined ? { upTo } : {}),
    ...clusterTargetOf(values),
    certificateDirs: values.dir ?? [],
    ...(since !== undefined ? { since } : {}),
  });
  const failing = result.firstFailing;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ lesson: lesson.id, ok: !failing, upTo: upTo !== undefined ? upTo + 1 : lesson.steps.length, firstFailing: failing ? { step: failing.index + 1, id: failing.stepId, message: failing.message } : null, steps: result.steps.map((s) => ({ ...s, step: s.index + 1 })) }, null, 2)}\n`,
    );
    return failing ? 1 : 0;
  }
  const width = String(result.steps.length).length;
  const lines = [`${lesson.id}: checking ${result.steps.length} of ${plural(lesson.steps.length, 'step')} by their effect`];
  for (const s of result.steps) {
    lines.push(`  ${MARK[s.status]} ${String(s.index + 1).padStart(width)} ${s.stepId}: ${s.message}`);
    if (!s.holds) for (const f of s.findings.filter((f) => !f.ok && f.message !== s.message)) lines.push(`      also: ${f.message}`);
  }
  lines.push(
    failing
      ? `not done: step ${failing.index + 1} (${failing.stepId}): ${failing.message}`
      : `done: every step${upTo !== undefined ? ` up to ${upTo + 1}` : ''} of ${lesson.id} holds`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return failing ? 1 : 0;
}
