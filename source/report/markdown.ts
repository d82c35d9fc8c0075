// --report FILE.md: what each step did and, for probes, observed vs expected,
// as a markdown document an author or CI can attach to a run.
import type { RunnerEvent } from '../lesson/events.js';
import { plural } from '../common/plural.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export class MarkdownReport {
  private readonly events: RunnerEvent[] = [];

  readonly listener = (event: RunnerEvent): void => {
    this.events.push(event);
  };

  render(): string {
    const lines: string[] = [];
    const titles = new Map<string, string>();
    for (const event of this.events) {
      switch (event.type) {
        case 'lesson-start':
          titles.set(`${event.lessonId}`, event.title);
          lines.push(`# ${event.title} (\`${event.lessonId}\`)`, '', `${plural(event.stepCount, 'step')}, starting at step ${event.fromStep + 1}.`, '');
          break;
        case 'prerequisite':
          lines.push(`*${event.lessonId} needs the lesson \`${event.prerequisite}\` first (${event.reason}): it runs first.*`, '');
          break;
        case 'step-start':
          lines.push(`## ${event.index + 1}. ${event.title}`, '', `Kind: ${event.kind}`, '');
          break;
        case 'command':
          lines.push('```sh', event.command, '```', '');
          break;
        case 'output':
          lines.push('```', event.text, '```', '');
          break;
        case 'probe-result': {
          lines.push('| field | expected | observed | |', '|---|---|---|---|');
          for (const v of event.verdicts) lines.push(`| ${cell(v.field)} | ${cell(v.expected)} | ${cell(v.observed)} | ${v.ok ? '✅' : '❌'} |`);
          lines.push('');
          if (event.explanation) {
            lines.push(`**Why:** ${event.explanation.title} — ${event.explanation.cause}`, '');
            if (event.explanation.fix) lines.push(`**Fix:** ${event.explanation.fix}`, '');
          }
          break;
        }
        case 'step-end':
          lines.push(`Result: **${event.status === 'interrupted' ? 'paused (progress saved)' : event.status}** in ${event.ms} ms${event.error ? ` — ${event.error}` : ''}`, '');
          break;
        case 'lesson-summary': {
          const summary = event.summary;
          const byHand = summary.did.filter((d) => d.how === 'by-hand').length;
          lines.push(`## End of the lesson`, '', `**What you did:** ${summary.did.length} of ${plural(summary.stepCount, 'step')}${byHand ? `, ${byHand} of them by hand` : ''}.`, '');
          for (const d of summary.did) lines.push(`${d.index + 1}. ${d.title}${d.how === 'by-hand' ? ' (by hand)' : ''}`);
          lines.push('');
          if (summary.saw.length) {
            lines.push('**What you saw:**', '', '| step | field | expected | observed | |', '|---|---|---|---|---|');
            for (const s of summary.saw) for (const v of s.verdicts) lines.push(`| ${s.index + 1}. ${cell(s.title)} | ${cell(v.field)} | ${cell(v.expected)} | ${cell(v.observed)} | ${v.ok ? '✅' : '❌'} |`);
            lines.push('');
          }
          if (summary.corrections.length) {
            lines.push('**What the lab text gets wrong:**', '');
            for (const c of summary.corrections) lines.push(`- *The lab text:* ${c.claim}`, `  *In fact:* ${c.truth}`, `  *Seen:* ${c.evidence}${c.stepNumber ? ` (step ${c.stepNumber}, ${c.stepTitle})` : ''}`);
            lines.push('');
          }
          const w = summary.workshop;
          lines.push(`**Workshop:** ${w.lessonsDone}/${w.lessonCount} lessons, ${w.stepsDone}/${plural(w.stepCount, 'step')} done. ${w.next ? `**Next:** ${w.next.title} (\`agw-workshop run ${w.next.id}\`), ${w.next.reason}.` : 'Every lesson is done.'}`, '');
          break;
        }
        case 'lesson-end':
          lines.push(
            `**${titles.get(event.lessonId) ?? event.lessonId}: ${event.status === 'interrupted' ? 'paused (progress saved)' : event.status}** in ${(event.ms / 1000).toFixed(1)} s` +
              `${event.failedSteps.length ? `; failed steps: ${event.failedSteps.map((i) => i + 1).join(', ')}` : ''}.`,
            '',
          );
          break;
        default:
          break;
      }
    }
    return `${lines.join('\n').trimEnd()}\n`;
  }
}
