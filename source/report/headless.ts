// Human-readable lines for `run`, `cleanup`, `replay` and `catch-up` without a
// TUI: one line per step, the equivalent commands, what was observed vs
// expected. Never imports Ink. No colour (logs and CI read it as plain text).
import type { RunnerEvent } from '../lesson/events.js';
import { renderCurlVerbose } from '../probe/render-curl.js';
import { describeJwt, sentJwt } from '../probe/jwt-view.js';
import type { EndOfLesson } from '../lesson/summary.js';
import { plural } from '../common/plural.js';

export interface LineWriter {
  write(text: string): void;
}

function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

export function createHeadlessReporter(out: LineWriter, options: { showCommands?: boolean } = {}): (event: RunnerEvent) => void {
  const showCommands = options.showCommands ?? true;
  const counts = new Map<string, number>();
  /** Where each lesson's run stopped, to say where the next run resumes. */
  const pausedAt = new Map<string, number>();
  const width = (id: string) => String(counts.get(id) ?? 0).length;
  return (event) => {
    switch (event.type) {
      case 'lesson-start':
        counts.set(event.lessonId, event.stepCount);
        out.write(`\n▶ ${event.lessonId}: ${event.title} (${plural(event.stepCount, 'step')}${event.fromStep ? `, from step ${event.fromStep + 1}` : ''})\n`);
        break;
      case 'cluster-start':
        out.write(
          event.phase === 'starting'
            ? `    ⏵ the embedded cluster is not running: starting it (agw-workshop cluster up)\n`
            : `    ✓ the embedded cluster answers (started in ${((event.ms ?? 0) / 1000).toFixed(1)} s); the gateway's pods may take a few seconds more\n`,
        );
        break;
      case 'prerequisite':
        out.write(`\n↳ ${event.lessonId} needs the lesson ${event.prerequisite} first (${event.reason}): running ${event.prerequisite}, then ${event.lessonId}\n`);
        break;
      case 'step-start':
        out.write(`\n[${String(event.index + 1).padStart(width(event.lessonId))}/${counts.get(event.lessonId) ?? '?'}] ${event.title}  (${event.kind})\n`);
        break;
      case 'progress':
        out.write(`    … ${event.message}\n`);
        break;
      case 'command':
        if (showCommands) out.write(`${indent(event.command, '    $ ').replace(/\n {4}\$ /g, '\n      ')}\n`);
        break;
      case 'output':
        out.write(`${indent(event.text)}\n`);
        break;
      case 'probe-result': {
        const r = event.result;
        // The same lines curl -v prints, so they compare with the lab text's expected output.
        out.write(`${indent(renderCurlVerbose(r, { body: false }).trimEnd(), '    │ ')}\n`);
        const jwt = sentJwt(r.request);
        if (jwt) {
          const shown = describeJwt(jwt);
          out.write(`    jwt header: ${shown.header}\n    jwt claims: ${shown.claims}\n    jwt signature: ${shown.signature}\n`);
        }
        out.write(`    observed: ${r.outcome}${r.error ? ` (${r.error})` : ''}, curl exit ${r.curlExitCode}\n`);
        for (const v of event.verdicts) out.write(`    ${v.ok ? '✓' : '✗'} ${v.field}: expected ${v.expected}, observed ${v.observed}\n`);
        if (event.explanation) {
          out.write(`    why: ${event.explanation.title}\n${indent(event.explanation.cause, '         ')}\n`);
          if (event.explanation.fix) out.write(`    fix: ${event.explanation.fix}\n`);
        }
        break;
      }
      case 'step-end':
        if (event.status === 'interrupted') {
          pausedAt.set(event.lessonId, event.index);
          out.write(`    ‖ paused (${event.ms} ms): stopped during this step; progress is saved\n`);
          break;
        }
        out.write(`    ${event.status === 'ok' ? '✓ ok' : event.status === 'skipped' ? '– skipped' : '✗ FAILED'} (${event.ms} ms)${event.error ? `: ${event.error}` : ''}\n`);
        break;
      case 'lesson-summary':
        out.write(summaryText(event.summary));
        break;
      case 'lesson-end':
        if (event.status === 'interrupted') {
          const at = pausedAt.get(event.lessonId);
          out.write(
            `\n‖ ${event.lessonId}: paused${at !== undefined ? ` at step ${at + 1}/${counts.get(event.lessonId) ?? '?'}` : ''}; progress is saved — ` +
              `\`agw-workshop run ${event.lessonId}\` resumes ${at !== undefined ? 'at that step' : 'where it stopped'}\n`,
          );
          break;
        }
        out.write(
          `\n${event.status === 'ok' ? '✓' : '✗'} ${event.lessonId}: ${event.status}` +
            `${event.failedSteps.length ? ` (failed steps: ${event.failedSteps.map((i) => i + 1).join(', ')})` : ''} in ${(event.ms / 1000).toFixed(1)} s\n`,
        );
        break;
    }
  };
}

/** A value in a summary line: one line, at most 100 characters (a body is shown in full at its step). */
function short(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}

/** The end of a lesson as plain text: what you did, what you saw, what the lab text gets wrong, what next. */
export function summaryText(summary: EndOfLesson): string {
  const lines: string[] = [`\n━━ End of ${summary.lessonId}: ${summary.title}`];
  const byHand = summary.did.filter((d) => d.how === 'by-hand').length;
  const width = String(summary.stepCount).length;
  lines.push(
    '',
    `What you did: ${plural(summary.did.length, 'step')}` +
      (byHand === summary.did.length ? ', all by hand' : byHand ? ` (${byHand} by hand, ${summary.did.length - byHand} done for you by the workshop)` : ', done for you by the workshop'),
  );
  for (const d of summary.did) lines.push(`  ${String(d.index + 1).padStart(width)}. ${d.title}${d.how === 'by-hand' ? '  (by hand)' : ''}`);
  lines.push('', summary.saw.length ? 'What you saw (observed against expected):' : 'What you saw: no probe step in this lesson.');
  for (const s of summary.saw) {
    lines.push(`  ${String(s.index + 1).padStart(width)}. ${s.title}: ${s.ok ? 'as expected' : 'NOT as expected'}${s.by === 'learner' ? ' (your own request)' : ''}`);
    for (const v of s.verdicts) lines.push(`      ${v.ok ? '✓' : '✗'} ${v.field}: observed ${short(v.observed)}${v.ok ? '' : `, expected ${short(v.expected)}`}`);
    if (s.explanation) lines.push(`      why: ${s.explanation}`);
  }
  lines.push('', summary.corrections.length ? 'What the lab text gets wrong:' : 'What the lab text gets wrong: nothing this lesson found.');
  summary.corrections.forEach((c, i) => {
    lines.push(`  ${i + 1}. The lab text: ${c.claim}`, `     In fact: ${c.truth}`, `     Seen: ${c.evidence}${c.stepNumber ? ` (step ${c.stepNumber}, ${c.stepTitle})` : ''}`);
  });
  const w = summary.workshop;
  lines.push('', `Workshop: ${w.lessonsDone}/${w.lessonCount} lessons done, ${w.stepsDone}/${plural(w.stepCount, 'step')}.`);
  lines.push(w.next ? `Next: ${w.next.title} (${w.next.reason}): agw-workshop run ${w.next.id}` : 'Next: nothing left, every lesson is done.');
  return `${lines.join('\n')}\n`;
}

/** --json: one event per line, exactly as the runner emitted it. */
export function createJsonReporter(out: LineWriter): (event: RunnerEvent) => void {
  return (event) => out.write(`${JSON.stringify(event)}\n`);
}
